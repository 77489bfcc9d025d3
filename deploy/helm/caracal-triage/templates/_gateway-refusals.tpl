{{/*
Alerts on Caracal's Gateway refusal counters (caracal_gateway_denials_<kind>_total): calls the
Gateway refuses before any STS exchange, which leave no audit row. One rule per counter, named
as src/incidents/catalogue.ts knows it (surface and first action of each there), labelled
`component: gateway` like Caracal's own rules. (dict "refusals" metrics.prometheusRule.gatewayRefusals "runbook" <base#>)
*/}}
{{- define "caracal-triage.gatewayRefusalKinds" -}}
- key: missingAuth
  counter: missing_auth
  alert: CaracalGatewayMissingAuthRefusals
  summary: "Caracal's Gateway refused calls that carry no bearer token"
  description: "Callers reach the Gateway without a mandate (401 invalid_token, no audit row): an agent or SDK that does not exchange before calling, or traffic that bypasses it."
- key: badBearer
  counter: bad_bearer
  alert: CaracalGatewayBadBearerRefusals
  summary: "Caracal's Gateway refused malformed bearer tokens"
  description: "Bearers that are not a readable mandate (malformed, oversized, without zone or client): a caller sending another kind of token, or a header cut short."
- key: expiring
  counter: expiring
  alert: CaracalGatewayExpiringTokenRefusals
  summary: "Caracal's Gateway refused mandates about to expire"
  description: "Mandates inside the Gateway's pre-flight expiry window (401 credential_expired_not_renewable): callers keep a mandate too long before using it, or clocks disagree."
- key: signature
  counter: signature
  alert: CaracalGatewaySignatureRefusals
  summary: "Caracal's Gateway refused tokens with an invalid signature"
  description: "Mandates the zone's keys do not verify: a token minted by another zone or deployment, signing keys rotated without the Gateway seeing the new JWKS, or forged tokens."
- key: jtiReplay
  counter: jti_replay
  alert: CaracalGatewayJtiReplayRefusals
  summary: "Caracal's Gateway refused replayed mandates"
  description: "A mandate's jti was presented again; each mandate works once. A client, SDK or retry layer re-sends it, or someone else holds a copy."
- key: revoked
  counter: revoked
  alert: CaracalGatewayRevokedRefusals
  summary: "Caracal's Gateway refused calls made with revoked authority"
  description: "Revocation is being enforced, and agents keep calling with a revoked session or delegation: stop them, or find out whether the revocation was meant."
- key: revocationStale
  counter: revocation_stale
  alert: CaracalGatewayRevocationStaleRefusals
  summary: "Caracal's Gateway refused calls because its revocation snapshot is stale"
  description: "The Gateway cannot prove its revocation state is current and fails closed: protected routes refuse calls until the snapshot reloads."
- key: badRouting
  counter: bad_routing
  alert: CaracalGatewayBadRoutingRefusals
  summary: "Caracal's Gateway refused calls it could not route"
  description: "Calls without the routing headers that name zone and resource, with an X-Caracal-Client-ID header, which the Gateway refuses from callers, or to a route target it does not have (400): a caller's or SDK's routing settings, or a resource the Gateway has no route for."
- key: pathTraversal
  counter: path_traversal
  alert: CaracalGatewayPathTraversalRefusals
  summary: "Caracal's Gateway refused unsafe upstream paths"
  description: "Requests whose path would leave the resource's upstream (dot segments, encoded traversal): a caller building paths from untrusted input, or someone probing."
{{- end -}}

{{- define "caracal-triage.gatewayRefusalRules" -}}
{{- $g := .refusals -}}
{{- $runbook := .runbook -}}
{{- $matchers := ternary (printf "{%s}" $g.selector) "" (ne $g.selector "") -}}
- name: caracal-gateway-refusals
  rules:
    {{- range $k := include "caracal-triage.gatewayRefusalKinds" . | fromYamlArray }}
    {{- $rule := index $g.rules $k.key }}
    {{- if $rule.enabled }}
    - alert: {{ $k.alert }}
      expr: sum by (namespace) (increase(caracal_gateway_denials_{{ $k.counter }}_total{{ $matchers }}[{{ $g.window }}])) > {{ $rule.threshold }}
      for: {{ $rule.for }}
      labels: { severity: {{ $rule.severity }}, component: gateway }
      annotations:
        summary: {{ printf "%s ({{ $value | humanize }} in %s)" $k.summary $g.window | quote }}
        description: {{ $k.description | quote }}
        runbook_url: {{ printf "%s%s" $runbook (lower $k.alert) | quote }}
    {{- end }}
    {{- end }}
{{- end -}}
