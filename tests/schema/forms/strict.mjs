// Reads {"schemas": {"dialect kind/name": schema}} on stdin; prints {"kind/name": "error"} for
// every schema Ajv in strict mode does not compile as it is.
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";

const input = JSON.parse(await new Promise((done) => {
  let text = "";
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => done(text));
}));
const failures = {};
for (const [key, schema] of Object.entries(input.schemas)) {
  const ajv = key.startsWith("draft-07") ? new Ajv({ strict: true }) : new Ajv2020({ strict: true });
  try {
    ajv.compile(schema);
  } catch (error) {
    failures[key] = error.message;
  }
}
process.stdout.write(JSON.stringify(failures));
