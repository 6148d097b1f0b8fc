/** The console browser module form-fields.js is imported as text (console-assets.ts); this gives it a type. */
declare const text: string;
export default text;
