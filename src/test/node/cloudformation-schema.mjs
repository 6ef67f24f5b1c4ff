// Checks a CloudFormation template against AWS's resource specification (@aws-cdk/aws-service-spec: the CloudFormation
// registry's resource schemas, as the AWS CDK generates its own types from them): every resource type exists, every
// property is one of its type (nested property types included), required properties are there, values with a closed
// set of choices are among them, and every GetAtt names an attribute the resource has. Values made by an intrinsic
// function are not checked (they only exist in a deployed stack).
//
//   node cloudformation-schema.mjs <template.yaml>
//
// Prints one line per problem and exits 1 when there is any. Run by CloudFormationSchemaIT.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
import yaml from "js-yaml";

const require = createRequire(import.meta.url);
const database = JSON.parse(gunzipSync(readFileSync(require.resolve("@aws-cdk/aws-service-spec/db.json.gz"))));
const entities = (table) => Object.values(database.schema[table].entities);
const resourceTypes = new Map(entities("resource").map((r) => [r.cloudFormationType, r]));
const typeDefinitions = new Map(entities("typeDefinition").map((t) => [t.$id, t]));

// CloudFormation's short tags in their long form: !Sub x is { "Fn::Sub": x }, !Ref x is { Ref: x }.
const FUNCTIONS = ["Ref", "Condition", "Sub", "GetAtt", "If", "Not", "Equals", "And", "Or", "Join", "Select", "Split",
  "Base64", "FindInMap", "ImportValue", "GetAZs", "Cidr", "Transform", "ToJsonString", "Length"];
const tags = FUNCTIONS.flatMap((name) => ["scalar", "sequence", "mapping"].map((kind) => new yaml.Type(`!${name}`, {
  kind,
  construct: (data) => {
    if (name === "Ref" || name === "Condition") return { [name]: data };
    if (name === "GetAtt" && typeof data === "string") return { "Fn::GetAtt": [data.slice(0, data.indexOf(".")), data.slice(data.indexOf(".") + 1)] };
    return { [`Fn::${name}`]: data };
  },
})));

const file = process.argv[2];
const template = yaml.load(readFileSync(file, "utf8"), { schema: yaml.DEFAULT_SCHEMA.extend(tags) });
const problems = [];

const isIntrinsic = (value) => value !== null && typeof value === "object" && !Array.isArray(value)
  && Object.keys(value).length === 1 && (Object.keys(value)[0].startsWith("Fn::") || Object.keys(value)[0] === "Ref");

function checkProperties(where, properties, definitions) {
  if (properties === null || typeof properties !== "object" || Array.isArray(properties) || isIntrinsic(properties)) return;
  for (const [name, definition] of Object.entries(definitions)) {
    if (definition.required && !(name in properties)) problems.push(`${where}: required property ${name} missing`);
  }
  for (const [name, value] of Object.entries(properties)) {
    const definition = definitions[name];
    if (!definition) {
      problems.push(`${where}: unknown property ${name}`);
      continue;
    }
    checkValue(`${where}.${name}`, value, definition.type);
  }
}

function checkValue(where, value, type) {
  if (!type || isIntrinsic(value)) return;
  switch (type.type) {
    case "ref": {
      const definition = typeDefinitions.get(type.reference.$ref);
      if (definition) checkProperties(where, value, definition.properties);
      break;
    }
    case "array":
      if (Array.isArray(value)) value.forEach((element, i) => checkValue(`${where}[${i}]`, element, type.element));
      break;
    case "map":
      if (value && typeof value === "object" && !Array.isArray(value)) {
        Object.entries(value).forEach(([key, element]) => checkValue(`${where}.${key}`, element, type.element));
      }
      break;
    case "string":
      if (type.allowedValues && typeof value === "string" && !type.allowedValues.includes(value)) {
        problems.push(`${where}: ${value} is not one of ${type.allowedValues.join(", ")}`);
      }
      break;
    default:
  }
}

function checkGetAtts(node) {
  if (Array.isArray(node)) return node.forEach(checkGetAtts);
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "Fn::GetAtt") {
      const [resource, attribute] = value;
      const type = resourceTypes.get(template.Resources[resource]?.Type);
      if (!type) problems.push(`GetAtt ${resource}.${attribute}: no such resource`);
      else if (!(attribute in (type.attributes ?? {}))) problems.push(`GetAtt ${resource}.${attribute}: no such attribute of ${type.cloudFormationType}`);
    } else if (key === "Fn::Sub" && typeof value === "string") {
      for (const [, variable] of value.matchAll(/\$\{([^!}][^}]*)}/g)) {
        if (variable.includes(".") && !variable.startsWith("AWS::")) {
          const [resource, attribute] = [variable.slice(0, variable.indexOf(".")), variable.slice(variable.indexOf(".") + 1)];
          checkGetAtts({ "Fn::GetAtt": [resource, attribute] });
        }
      }
    }
    checkGetAtts(value);
  }
}

let checked = 0;
for (const [id, resource] of Object.entries(template.Resources ?? {})) {
  const type = resourceTypes.get(resource.Type);
  if (!type) {
    problems.push(`${id}: unknown resource type ${resource.Type}`);
    continue;
  }
  checkProperties(id, resource.Properties ?? {}, type.properties);
  checked++;
}
checkGetAtts(template);

problems.forEach((problem) => console.log(problem));
console.log(`${checked} resources checked against the CloudFormation resource specification, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
