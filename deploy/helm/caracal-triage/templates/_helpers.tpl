{{/* Names: DNS labels of at most 63 characters. */}}
{{- define "caracal-triage.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "caracal-triage.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "caracal-triage.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "caracal-triage.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "web"|"worker"). */}}
{{- define "caracal-triage.selectorLabels" -}}
app.kubernetes.io/name: {{ include "caracal-triage.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* A component's pod count for NOTES.txt: its replicas, or its autoscaler's range. */}}
{{- define "caracal-triage.notesCount" -}}
{{- if .autoscaling.enabled -}}{{ .autoscaling.minReplicas }} to {{ .autoscaling.maxReplicas }} (autoscaled){{- else -}}{{ .replicas }}{{- end -}}
{{- end -}}

{{- define "caracal-triage.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "caracal-triage.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret every secret variable is read from: the chart's own or existingSecret. */}}
{{- define "caracal-triage.secretName" -}}
{{- default (include "caracal-triage.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "caracal-triage.routesConfigMap" -}}
{{- default (printf "%s-routes" (include "caracal-triage.fullname" .)) .Values.routes.existingConfigMap -}}
{{- end -}}

{{- define "caracal-triage.routesEnabled" -}}
{{- if or .Values.routes.routes .Values.routes.thresholds .Values.routes.existingConfigMap -}}true{{- end -}}
{{- end -}}

{{/* Where file-valued settings are mounted. */}}
{{- define "caracal-triage.adminTokenDir" -}}/var/run/secrets/caracal-triage/admin-token{{- end -}}

{{/*
The Caracal tokens mounted as files in one component's pods (dict "root" $ "component" …), as a
JSON list of {volume, env, dir, secretName, key}, each when its `<name>TokenFile.secretName` is
set: the admin (read) token where Caracal is read (workers; the web when it serves MCP), the
approve and fix tokens in workers only (only workers act on Caracal).
*/}}
{{- define "caracal-triage.tokenFiles" -}}
{{- $root := .root -}}
{{- $reads := include "caracal-triage.readsCaracal" . -}}
{{- $worker := eq .component "worker" -}}
{{- $out := list -}}
{{- range $f := list (dict "values" "adminTokenFile" "env" "CARACAL_ADMIN_TOKEN_FILE" "volume" "admin-token" "on" $reads) (dict "values" "approveTokenFile" "env" "CARACAL_APPROVE_TOKEN_FILE" "volume" "approve-token" "on" $worker) (dict "values" "fixTokenFile" "env" "CARACAL_FIX_TOKEN_FILE" "volume" "fix-token" "on" $worker) -}}
{{- $v := index $root.Values $f.values -}}
{{- if and $f.on $v $v.secretName -}}
{{- $out = append $out (dict "volume" $f.volume "env" $f.env "dir" (printf "/var/run/secrets/caracal-triage/%s" $f.volume) "secretName" $v.secretName "key" $v.key) -}}
{{- end -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}
{{- define "caracal-triage.routesDir" -}}/etc/caracal-triage/routes{{- end -}}

{{/* The HTTP port of a component, or nothing when it serves none. */}}
{{- define "caracal-triage.httpPort" -}}
{{- if eq .component "web" -}}
{{- .root.Values.web.port -}}
{{- else if .root.Values.worker.http.enabled -}}
{{- .root.Values.worker.http.port -}}
{{- end -}}
{{- end -}}

{{/*
Which credentials each process reads, as a JSON list: (include "caracal-triage.secretKeys" (dict "root" $ "component" "web"|"worker")).
The web (`serve`, loadWebConfig in src/app/config.ts) verifies chat requests, incident webhooks
and Caracal's sink deliveries (CARACAL_SINK_SECRET) and reads no Caracal setting, unless it
serves MCP (mcp.enabled): then it reads MCP_TOKEN and, as its MCP tools read Caracal in the web
process, the Caracal read credentials too. The worker (`worker`) reads Caracal, acts on it with
the approve and fix tokens (CARACAL_APPROVE_TOKEN, CARACAL_FIX_TOKEN: the worker's alone, MCP
or not), posts to the chat platforms and pages PagerDuty (escalations), and never serves the
hooks or MCP. The worker also gets Slack's signing secret and app token only because its
start-up check (adapters/slack/config.ts) refuses SLACK_BOT_TOKEN without one of them; it uses neither.
*/}}
{{- define "caracal-triage.secretKeys" -}}
{{- $caracal := list "CARACAL_ADMIN_TOKEN" "CARACAL_METRICS_BEARER" "CARACAL_COORDINATOR_TOKEN" -}}
{{- $web := list "REDIS_URL" "TRIAGE_SIGNING_KEY" "SLACK_BOT_TOKEN" "SLACK_SIGNING_SECRET" "SLACK_APP_TOKEN" "MICROSOFT_APP_PASSWORD" "ALERTMANAGER_TOKEN" "INCIDENT_WEBHOOK_SECRET" "PAGERDUTY_WEBHOOK_SECRET" -}}
{{- if .root.Values.mcp.enabled -}}
{{- $web = concat $web (list "MCP_TOKEN") $caracal -}}
{{- end -}}
{{- $keys := dict
  "web" (concat $web (list "CARACAL_SINK_SECRET"))
  "worker" (concat (list "REDIS_URL" "TRIAGE_SIGNING_KEY") $caracal (list "CARACAL_APPROVE_TOKEN" "CARACAL_FIX_TOKEN" "SLACK_BOT_TOKEN" "SLACK_SIGNING_SECRET" "SLACK_APP_TOKEN" "MICROSOFT_APP_PASSWORD" "PAGERDUTY_ROUTING_KEY" "PAGERDUTY_API_TOKEN"))
-}}
{{- index $keys .component | toJson -}}
{{- end -}}

{{/* Whether a component reads Caracal (dict "root" $ "component" …): the worker always, the web when it serves MCP. */}}
{{- define "caracal-triage.readsCaracal" -}}
{{- if or (eq .component "worker") .root.Values.mcp.enabled -}}true{{- end -}}
{{- end -}}

{{/*
Checksum of the credentials one component reads (dict "root" $ "component" …), so a change of
a Caracal token rolls only the workers and a webhook secret only the web pods.
*/}}
{{- define "caracal-triage.secretChecksum" -}}
{{- $root := .root -}}
{{- $values := dict -}}
{{- range $key := include "caracal-triage.secretKeys" . | fromJsonArray -}}
{{- $_ := set $values $key (toString (index $root.Values.secrets $key | default "")) -}}
{{- end -}}
{{- dict "existingSecret" $root.Values.existingSecret "values" $values | toJson | sha256sum -}}
{{- end -}}

{{/*
The chart's own spread of one component's pods over nodes and zones (topologySpread), or the
component's topologySpreadConstraints when given: (dict "root" $ "component" …).
*/}}
{{- define "caracal-triage.topologySpread" -}}
{{- $v := index .root.Values .component -}}
{{- $spread := .root.Values.topologySpread -}}
{{- if $v.topologySpreadConstraints -}}
{{- toYaml $v.topologySpreadConstraints -}}
{{- else if $spread.enabled -}}
{{- range $key := $spread.topologyKeys }}
- maxSkew: {{ $spread.maxSkew }}
  topologyKey: {{ $key }}
  whenUnsatisfiable: {{ $spread.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "caracal-triage.selectorLabels" $ | nindent 6 }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
Pod template of one component: (dict "root" $ "component" "web"|"worker"). Both run the same
image and read the same settings; they differ in command, port, probes and sizing.
*/}}
{{- define "caracal-triage.podTemplate" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .component -}}
{{- $port := include "caracal-triage.httpPort" . -}}
{{- $component := .component -}}
{{- $tokenFiles := include "caracal-triage.tokenFiles" . | fromJsonArray -}}
{{- $spread := include "caracal-triage.topologySpread" . -}}
metadata:
  labels:
    {{- include "caracal-triage.selectorLabels" . | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A change of settings rolls the pods (an existingSecret is not seen: restart by hand).
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    checksum/secret: {{ include "caracal-triage.secretChecksum" . }}
    checksum/routes: {{ include (print $root.Template.BasePath "/routes-configmap.yaml") $root | sha256sum }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "caracal-triage.serviceAccountName" $root }}
  automountServiceAccountToken: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ $root.Values.podSecurity.runAsUser }}
    runAsGroup: {{ $root.Values.podSecurity.runAsGroup }}
    fsGroup: {{ $root.Values.podSecurity.fsGroup }}
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: {{ .component }}
      image: "{{ $root.Values.image.repository }}:{{ default $root.Chart.AppVersion $root.Values.image.tag }}"
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      command: ["node", "--", "/app/bin/caracal-triage.js"]
      args: [{{ if eq .component "web" }}"serve"{{ else }}"worker"{{ end }}]
      securityContext:
        runAsNonRoot: true
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
        seccompProfile:
          type: RuntimeDefault
      {{- if $port }}
      ports:
        - name: http
          containerPort: {{ $port }}
          protocol: TCP
      {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "caracal-triage.fullname" $root }}
      env:
        {{- if $port }}
        - name: PORT
          value: {{ $port | quote }}
        {{- end }}
        {{- /* Each process gets only the credentials it reads (secretKeys). */}}
        {{- range $key := include "caracal-triage.secretKeys" . | fromJsonArray }}
        - name: {{ $key }}
          valueFrom:
            secretKeyRef:
              name: {{ include "caracal-triage.secretName" $root }}
              key: {{ $key }}
              optional: true
        {{- end }}
        {{- range $f := $tokenFiles }}
        - name: {{ $f.env }}
          value: {{ printf "%s/%s" $f.dir $f.key | quote }}
        {{- end }}
        {{- if include "caracal-triage.routesEnabled" $root }}
        - name: TRIAGE_ROUTES_FILE
          value: {{ printf "%s/%s" (include "caracal-triage.routesDir" $root) $root.Values.routes.key | quote }}
        {{- end }}
        {{- with $root.Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if $port }}
      startupProbe:
        httpGet: { path: /healthz, port: http }
        {{- toYaml $v.startupProbe | nindent 8 }}
      livenessProbe:
        httpGet: { path: /healthz, port: http }
        {{- toYaml $v.livenessProbe | nindent 8 }}
      readinessProbe:
        httpGet: { path: /readyz, port: http }
        {{- toYaml $v.readinessProbe | nindent 8 }}
      {{- end }}
      {{- if and (eq .component "web") (gt (int $v.preStopSleepSeconds) 0) }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", {{ $v.preStopSleepSeconds | quote }}]
      {{- end }}
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- range $f := $tokenFiles }}
        - name: {{ $f.volume }}
          mountPath: {{ $f.dir }}
          readOnly: true
        {{- end }}
        {{- if include "caracal-triage.routesEnabled" $root }}
        - name: routes
          mountPath: {{ include "caracal-triage.routesDir" $root }}
          readOnly: true
        {{- end }}
        {{- with $root.Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ $root.Values.tmpSizeLimit }}
    {{- range $f := $tokenFiles }}
    - name: {{ $f.volume }}
      secret:
        secretName: {{ $f.secretName }}
        items:
          - key: {{ $f.key }}
            path: {{ $f.key }}
        defaultMode: 0440
    {{- end }}
    {{- if include "caracal-triage.routesEnabled" $root }}
    - name: routes
      configMap:
        name: {{ include "caracal-triage.routesConfigMap" $root }}
        items:
          - key: {{ $root.Values.routes.key }}
            path: {{ $root.Values.routes.key }}
    {{- end }}
    {{- with $root.Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $spread }}
  topologySpreadConstraints:
    {{- . | trim | nindent 4 }}
  {{- end }}
{{- end -}}

{{/*
Prometheus label selector of this release's scrape targets (the Prometheus Operator sets `job`
to the scraped Service's name).
*/}}
{{- define "caracal-triage.promSelector" -}}
namespace="{{ .Release.Namespace }}",job=~"{{ include "caracal-triage.fullname" . }}-(web|worker)"
{{- end -}}
