// Reads {"cases": {key: {"schema": ..., "uischema": ..., "data": ...}}} on stdin and renders each schema to
// HTML with react-jsonschema-form and with JSON Forms (vanilla renderers). Prints, per key, the
// console messages of each, the Controls no JSON Forms renderer claims (tester rank), the plain
// fields JSON Forms drew no input for, and the fields (by UI schema scope) react-jsonschema-form
// drew no element for.
import { createRequire } from "module";

const require = createRequire(import.meta.url);
const React = require("react");
const { renderToStaticMarkup } = require("react-dom/server");
const Form = require("@rjsf/core").default;
const validator = require("@rjsf/validator-ajv8").default;
const { JsonForms } = require("@jsonforms/react");
const { vanillaRenderers, vanillaCells, inputControlTester } = require("@jsonforms/vanilla-renderers");

const input = JSON.parse(await new Promise((done) => {
  let text = "";
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => done(text));
}));

function text(arg) {
  if (typeof arg !== "object" || arg === null) return String(arg);
  try {
    return JSON.stringify(arg).slice(0, 300);
  } catch {
    return String(arg);
  }
}

function captured(run) {
  const messages = [];
  const saved = { warn: console.warn, error: console.error, log: console.log };
  for (const level of Object.keys(saved)) console[level] = (...args) => messages.push(`${level}: ${args.map(text).join(" ")}`);
  try {
    return [run(), messages];
  } catch (error) {
    return ["", [...messages, `thrown: ${error.stack}`]];
  } finally {
    Object.assign(console, saved);
  }
}

function controls(element, out = []) {
  if (element.type === "Control") out.push(element);
  for (const child of element.elements ?? []) controls(child, out);
  return out;
}

function resolve(root, scope) {
  let node = root;
  for (const part of scope.split("/").slice(1)) node = node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return node;
}

function unclaimed(schema, uischema) {
  const context = { rootSchema: schema, config: {} };
  return controls(uischema).filter((control) => {
    // The input control takes every Control (rank 1) and then looks for a cell: count a cell.
    const renderers = vanillaRenderers.filter((entry) => entry.tester !== inputControlTester);
    const ranks = [...renderers, ...vanillaCells].map((entry) => entry.tester(control, schema, context));
    return Math.max(...ranks) <= 0;
  }).map((control) => control.scope);
}

// The plain fields (text, number, checkbox, select) JSON Forms drew no input for: vanilla
// inputs carry their scope in their id. (Lists and groups are checked by the testers above.)
function absent(html, schema, uischema) {
  const plain = new Set(["string", "number", "integer", "boolean"]);
  return controls(uischema).map((control) => control.scope).filter((scope) => {
    const target = resolve(schema, scope) ?? {};
    const kinds = [target.type ?? []].flat().filter((kind) => kind !== "null");
    const isPlain = target.enum !== undefined || (kinds.length > 0 && kinds.every((kind) => plain.has(kind)));
    return isPlain && !html.includes(`id="${scope}`);
  });
}

// A field inside a union (`#/anyOf/1/properties/x`) is drawn once its form is picked: count
// the first form's fields, and the selector of the forms for the others.
function undrawn(html, uischema) {
  return controls(uischema).map((control) => control.scope).filter((scope) => {
    const union = scope.match(/^(.*?)\/(anyOf|oneOf)\/(\d+)\//);
    if (union && union[3] !== "0") {
      return !html.includes(`id="${rjsfId(union[1])}__${union[2].toLowerCase()}_select"`);
    }
    const id = rjsfId(scope.replace(/\/(anyOf|oneOf)\/\d+/g, ""));
    return !html.includes(`id="${id}"`) && !html.includes(`id="${id}__`);
  });
}

function rjsfId(scope) {
  return ["root", ...scope.split("/").filter((p, i) => i % 2 === 0 && i > 0)].join("_");
}

const report = {};
for (const [key, { schema, uischema, data }] of Object.entries(input.cases)) {
  const [rjsfHtml, rjsfMessages] = captured(() => renderToStaticMarkup(
    React.createElement(Form, { schema, validator, formData: data })));
  const [formsHtml, formsMessages] = captured(() => renderToStaticMarkup(
    React.createElement(JsonForms, { schema, uischema, data, renderers: vanillaRenderers, cells: vanillaCells })));
  report[key] = {
    rjsf: { messages: rjsfMessages, undrawn: undrawn(rjsfHtml, uischema) },
    jsonforms: {
      messages: formsMessages,
      unclaimed: unclaimed(schema, uischema),
      noRenderer: formsHtml.includes("No applicable"),
      absent: absent(formsHtml, schema, uischema),
    },
  };
}
process.stdout.write(JSON.stringify(report));
