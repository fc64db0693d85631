// Reads {"checks": [{"schema", "dialect", "form", "instance"}]} on stdin; prints, for each, whether
// Ajv (strict; union types allowed for form-shaped schemas) accepts the instance.
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";

const input = JSON.parse(await new Promise((done) => {
  let text = "";
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => done(text));
}));
const verdicts = input.checks.map(({ schema, dialect, form, instance }) => {
  const options = { strict: true, allowUnionTypes: Boolean(form) };
  const ajv = dialect === "draft-07" ? new Ajv(options) : new Ajv2020(options);
  return ajv.validate(schema, instance);
});
process.stdout.write(JSON.stringify(verdicts));
