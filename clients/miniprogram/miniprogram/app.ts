// One build for every provider: the base URL comes from ext.json (written per provider by the
// WeChat Open Platform's third-party template) or from the code a person scanned (lib/api.ts).
App({})
