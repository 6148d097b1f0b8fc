/**
 * @module
 * The commented config.yml that `outpost config init` writes: one example of each kind of
 * profile, with every section present so a person edits instead of looking up keys. It
 * must pass validation as written (a test loads it); paths are examples to change.
 */

export const STARTER_CONFIG = `# Outpost agent configuration. Reference: docs/config.md
# Check it with:  outpost config validate
# Secrets: run \`outpost encrypt\` and paste its {encrypted: '...'} output as a value,
# or use \${env:NAME} or \${file:/path/to/file} in any string.

gateway:
  url: wss://gateway.example.com:443
  # identity: identity.json        # written by \`outpost activate\`
  # ca: /etc/outpost/gateway-ca.pem

# Profiles: a request names one profile. Names use letters, digits, _ and -,
# and are unique across all kinds.
databases:
  local:
    adapter: sqlite
    path: ./local.db
    readonly: true
  sales:
    adapter: postgresql            # postgresql | mysql | sqlserver | sqlite
    host: db.internal
    port: 5432
    database: sales
    username: outpost
    # password: \${env:SALES_DB_PASSWORD}      # or {encrypted: 'ov1:...'} from \`outpost encrypt\`
    ssl:
      mode: verify-full            # disable | require | verify-ca | verify-full
    pool:
      size: 10
    query_timeout: 300
  # stock:
  #   adapter: mysql
  #   host: mysql.internal
  #   port: 3306
  #   database: stock
  #   username: outpost
  #   password: {encrypted: 'ov1:...'}
  # erp:
  #   adapter: sqlserver
  #   host: sql.internal
  #   port: 1433
  #   database: erp
  #   username: outpost
  #   password: {encrypted: 'ov1:...'}

files:
  shared:
    base: ./shared                 # every path stays under this folder
    readonly: true

http:
  intranet:
    base_url: http://intranet.internal:8080
    timeout: 60

scripts:
  ops:
    commands:
      disk:
        argv: [df, -h, "{mount}"]
        params:
          mount: {type: enum, values: [/, /var]}
    timeout: 90

# extensions:
#   custom:
#     module: /opt/outpost/extensions/custom.ts
#     config: {}

# proxy:
#   url: http://proxy.internal:3128
#   no_proxy: [localhost, 127.0.0.1]

logging:
  level: info                      # trace | debug | info | warn | error
  # components: {sql: debug, tunnel: info}
  # format: json
  # file:
  #   path: ./logs/outpost.log
  #   max_size_mb: 20
  #   retain: 10
  #   total_cap_mb: 200

agent:
  concurrency: 64
  shutdown_grace: 30
  # health: {port: 8081}

# secrets:
#   key_file: secret.key           # default: secret.key beside this file

autoReload: false
`;
