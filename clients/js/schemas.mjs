// The generated schemas of the OpenAPI document (GET /api/v1/openapi.json): EventData (an
// event's `data` by its `type`, docs/protocol.md §9), CommandPayload (a command's payload by
// its name, §8) and the REST API's Snapshot. The document is JSON Schema 2020-12 (OpenAPI 3.1).
import Ajv2020 from "ajv/dist/2020.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class Schemas {
  constructor(openapi) {
    this.openapi = openapi;
    // strict: false because OpenAPI adds keywords JSON Schema does not know (`examples` is
    // fine, but `discriminator`, `xml`… may appear); formats: only `date` is used.
    const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { date: DATE } });
    ajv.addSchema({ $id: "openapi", components: openapi.components });
    this.eventData = ajv.compile({ $ref: "openapi#/components/schemas/EventData" });
    this.commandPayload = ajv.compile({ $ref: "openapi#/components/schemas/CommandPayload" });
    this.snapshot = ajv.compile({ $ref: "openapi#/components/schemas/Snapshot" });
    this.eventTypes = new Set(openapi.components.schemas.EventType.enum);
    this.commandNames = new Set(openapi.components.schemas.CommandName.enum);
    // One validator per type too, so that an error names the failing type's own rule rather
    // than every branch of the oneOf.
    this.byType = new Map();
    for (const branch of openapi.components.schemas.EventData.oneOf) {
      this.byType.set(branch.properties.type.const, ajv.compile(branch.properties.data));
    }
    this.ajv = ajv;
  }

  // An event record ({seq, type, at, data}): null when it is valid, else the errors as text.
  checkEvent(record) {
    if (!this.eventTypes.has(record.type)) return `unknown event type ${record.type}`;
    const one = this.byType.get(record.type);
    if (!one(record.data)) return `${record.type}: ${this.ajv.errorsText(one.errors)}`;
    if (!this.eventData({ type: record.type, data: record.data })) {
      return `${record.type}: ${this.ajv.errorsText(this.eventData.errors)}`;
    }
    return null;
  }

  checkCommand(name, payload) {
    if (!this.commandNames.has(name)) return `unknown command ${name}`;
    if (!this.commandPayload({ name, payload })) {
      return `${name}: ${this.ajv.errorsText(this.commandPayload.errors)}`;
    }
    return null;
  }

  checkSnapshot(snapshot) {
    return this.snapshot(snapshot) ? null : this.ajv.errorsText(this.snapshot.errors);
  }
}
