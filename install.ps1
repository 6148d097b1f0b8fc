# Outpost installer for Windows (x64 and arm64), for PowerShell 5.1 and 7.
#
#   irm https://releases.outpost.example/install.ps1 | iex
#   & ([scriptblock]::Create((irm https://releases.outpost.example/install.ps1))) -Version 1.2.0
#
# Installs outpost.exe under %LOCALAPPDATA%\Programs\Outpost (or Program Files\Outpost when
# elevated) and adds that folder to the user PATH (the machine PATH when elevated). The zip's
# sha256 is checked against SHA256SUMS before anything is installed. PowerShell cannot check
# Ed25519 signatures; verify SHA256SUMS.sig with openssl elsewhere if you need that (see
# docs/install.md). `outpost upgrade` verifies the signed manifest for every later upgrade.
# Environment: OUTPOST_DOWNLOAD_BASE (release folder or mirror), OUTPOST_ARCH (x64|arm64).

param(
  [string]$Version = "",
  [string]$Dir = "",
  [switch]$Service,
  [switch]$NoService
)

$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"

function Install-Outpost {
  $base = $env:OUTPOST_DOWNLOAD_BASE
  if (-not $base) { $base = "https://releases.outpost.example" }
  $base = $base.TrimEnd("/")

  $arch = $env:OUTPOST_ARCH
  if (-not $arch) {
    $arch = switch ($env:PROCESSOR_ARCHITECTURE) {
      "AMD64" { "x64" }
      "ARM64" { "arm64" }
      default { $env:PROCESSOR_ARCHITECTURE }
    }
  }
  if ($arch -ne "x64" -and $arch -ne "arm64") { throw "unsupported CPU architecture '$arch': Outpost ships x64 and arm64 builds for Windows" }

  $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
  $elevated = $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
  if (-not $Dir) {
    if ($elevated) { $Dir = Join-Path $env:ProgramFiles "Outpost" } else { $Dir = Join-Path $env:LOCALAPPDATA "Programs\Outpost" }
  }

  if (-not $Version) { $Version = (Invoke-RestMethod -UseBasicParsing "$base/latest.json").version }
  if ($Version -notmatch '^[0-9A-Za-z.+-]+$') { throw "cannot tell which version to install (got '$Version')" }

  $file = "outpost-windows-$arch.zip"
  $tmp = Join-Path ([IO.Path]::GetTempPath()) ("outpost-install-" + [Guid]::NewGuid())
  New-Item -ItemType Directory -Path $tmp | Out-Null
  try {
    Write-Host "installing outpost $Version (windows-$arch) from $base"
    Invoke-WebRequest -UseBasicParsing -Uri "$base/$Version/SHA256SUMS" -OutFile "$tmp\SHA256SUMS"
    Invoke-WebRequest -UseBasicParsing -Uri "$base/$Version/$file" -OutFile "$tmp\$file"
    $line = Get-Content "$tmp\SHA256SUMS" | Where-Object { ($_ -split '\s+')[1] -eq $file } | Select-Object -First 1
    if (-not $line) { throw "release $Version has no build for windows-$arch" }
    $expected = ($line -split '\s+')[0].ToLowerInvariant()
    $actual = (Get-FileHash -Algorithm SHA256 -Path "$tmp\$file").Hash.ToLowerInvariant()
    if ($actual -ne $expected) { throw "sha256 of $file is $actual, SHA256SUMS says $expected; nothing was installed" }

    Expand-Archive -Path "$tmp\$file" -DestinationPath "$tmp\x" -Force
    $printed = (& "$tmp\x\outpost.exe" --version | Out-String).Trim()
    if ($printed -ne $Version) { throw "the downloaded outpost.exe does not run here (it printed '$printed'); nothing was installed" }

    New-Item -ItemType Directory -Force -Path $Dir | Out-Null
    $target = Join-Path $Dir "outpost.exe"
    # A running outpost.exe can be renamed but not overwritten: move it aside first.
    if (Test-Path $target) { Move-Item -Force $target "$target.old" }
    Move-Item -Force "$tmp\x\outpost.exe" $target
    Write-Host "installed $target ($Version)"
  } finally {
    Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
  }

  Add-ToPath -Folder $Dir -Machine:$elevated
  if ($NoService) { return }
  # Never installed from here: the service runs `outpost run`, which needs the identity and
  # the gateway section that only `outpost activate` writes. Print both, in order.
  if ($Service -or $elevated) {
    Write-Host "to run Outpost as a Windows service, first activate this host, then install the service (from an elevated prompt):"
    Write-Host "  `"$target`" activate CODE --gateway wss://HOST:PORT --config C:\ProgramData\Outpost\config.yml   (add --ca FILE for a private CA)"
    Write-Host "  `"$target`" service install --config C:\ProgramData\Outpost\config.yml"
  }
}

# Adds $Folder to the user (or machine) PATH. Reads the raw value without expanding it and
# writes it back as REG_EXPAND_SZ, so entries like %USERPROFILE%\bin keep working.
function Add-ToPath {
  param([string]$Folder, [switch]$Machine)
  if ($Machine) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SYSTEM\CurrentControlSet\Control\Session Manager\Environment', $true)
  } else {
    $key = [Microsoft.Win32.Registry]::CurrentUser.OpenSubKey('Environment', $true)
  }
  try {
    $path = [string]$key.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    $entries = $path -split ';' | Where-Object { $_ -ne '' }
    if ($entries -contains $Folder) { return }
    $key.SetValue('Path', (($entries + $Folder) -join ';'), [Microsoft.Win32.RegistryValueKind]::ExpandString)
    $env:Path = "$env:Path;$Folder"
    Write-Host "added $Folder to the PATH (open a new terminal to use it)"
  } finally {
    $key.Close()
  }
}

Install-Outpost
