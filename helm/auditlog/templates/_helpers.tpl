{{- define "auditlog.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "auditlog.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "auditlog.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "auditlog.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "auditlog.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "auditlog.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: auditlog
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "ingest"). */}}
{{- define "auditlog.selectorLabels" -}}
app.kubernetes.io/name: {{ include "auditlog.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "auditlog.componentName" -}}
{{- printf "%s-%s" (include "auditlog.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "auditlog.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "auditlog.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The maintenance worker's own service account (it holds OpenSearch's delete rights). */}}
{{- define "auditlog.maintenanceServiceAccountName" -}}
{{- if .Values.maintenance.serviceAccount.create -}}
{{- default (printf "%s-maintenance" (include "auditlog.fullname" .)) .Values.maintenance.serviceAccount.name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- default "default" .Values.maintenance.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "auditlog.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "auditlog.secretName" -}}
{{- include "auditlog.fullname" . -}}
{{- end -}}

{{/* Secret holding one block's keys: its existingSecret, or the chart's own Secret. */}}
{{- define "auditlog.opensearchSecret" -}}
{{- default (include "auditlog.secretName" .) .Values.opensearch.existingSecret -}}
{{- end -}}
{{- define "auditlog.redisSecret" -}}
{{- default (include "auditlog.secretName" .) .Values.redis.existingSecret -}}
{{- end -}}
{{- define "auditlog.authSecret" -}}
{{- default (include "auditlog.secretName" .) .Values.auth.existingSecret -}}
{{- end -}}
{{- define "auditlog.ingestKeysSecret" -}}
{{- default (include "auditlog.secretName" .) .Values.ingestKeys.existingSecret -}}
{{- end -}}
{{- define "auditlog.viewerTokensSecret" -}}
{{- default (include "auditlog.secretName" .) .Values.viewerTokens.existingSecret -}}
{{- end -}}
{{- define "auditlog.siemKeysSecret" -}}
{{- default (include "auditlog.secretName" .) .Values.siemKeys.existingSecret -}}
{{- end -}}

{{/*
Origins of the Ingress hosts that route /console/ to the query app (a Prefix path that
/console/ starts with: / or /console), https when ingress.tls covers the host; a JSON list.
*/}}
{{- define "auditlog.consoleOrigins" -}}
{{- $origins := list -}}
{{- if and .Values.ingress.enabled .Values.query.enabled -}}
{{- $tlsHosts := list -}}
{{- range .Values.ingress.tls -}}
{{- $tlsHosts = concat $tlsHosts (.hosts | default list) -}}
{{- end -}}
{{- range $host := .Values.ingress.hosts -}}
{{- range $host.paths -}}
{{- if and (eq .component "query") (hasPrefix .path "/console/") -}}
{{- $origins = append $origins (printf "%s://%s" (ternary "https" "http" (has $host.host $tlsHosts)) $host.host) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- uniq $origins | toJson -}}
{{- end -}}

{{/* Fails early with a clear message when a required value is missing. */}}
{{- define "auditlog.validate" -}}
{{- $_ := required "opensearch.url is required (https://host:9200)" .Values.opensearch.url -}}
{{- if not (or .Values.redis.existingSecret .Values.redis.sentinels) -}}
{{- $_ := required "redis.url (or redis.existingSecret) is required" .Values.redis.url -}}
{{- end -}}
{{- if and .Values.redis.sentinels .Values.redis.url -}}
{{- fail "set either redis.url or redis.sentinels, not both" -}}
{{- end -}}
{{- if not (or .Values.auth.existingSecret .Values.auth.jwtSecret .Values.auth.jwtPublicKey .Values.auth.jwksUrl) -}}
{{- fail "one of auth.jwtSecret, auth.jwtPublicKey, auth.jwksUrl (or auth.existingSecret) is required" -}}
{{- end -}}
{{- if and .Values.ingest.enabled (not .Values.ingestKeys.existingSecret) -}}
{{- $_ := required "ingestKeys.keys (or ingestKeys.existingSecret) is required" .Values.ingestKeys.keys -}}
{{- end -}}
{{- if not .Values.opensearch.existingSecret -}}
{{- $_ := required "opensearch.users.ingest.password (or opensearch.existingSecret) is required" .Values.opensearch.users.ingest.password -}}
{{- $_ := required "opensearch.users.query.password (or opensearch.existingSecret) is required" .Values.opensearch.users.query.password -}}
{{- $_ := required "opensearch.users.export.password (or opensearch.existingSecret) is required" .Values.opensearch.users.export.password -}}
{{- if .Values.maintenance.enabled -}}
{{- $_ := required "opensearch.users.maintenance.password (or opensearch.existingSecret) is required" .Values.opensearch.users.maintenance.password -}}
{{- end -}}
{{- if and .Values.setup.enabled (not .Values.setup.adminCertSecret) -}}
{{- $_ := required "opensearch.users.setup.username and password (or setup.adminCertSecret) are required for the setup job" .Values.opensearch.users.setup.password -}}
{{- end -}}
{{- end -}}
{{- if and .Values.viewerTokens.keys (not .Values.viewerTokens.sessionSecret) (not .Values.viewerTokens.existingSecret) (not .Values.auth.jwtSecret) (not .Values.auth.existingSecret) -}}
{{- fail "viewerTokens.sessionSecret (or viewerTokens.existingSecret) is required with viewerTokens.keys when auth uses jwtPublicKey or jwksUrl" -}}
{{- end -}}
{{- if and .Values.setup.enabled (not .Values.setup.adminCertSecret) -}}
{{- $_ := required "opensearch.users.setup.username is required for the setup job (or setup.adminCertSecret)" .Values.opensearch.users.setup.username -}}
{{- end -}}
{{- end -}}

{{/*
Secret environment of one process; call with (dict "root" $ "user" "ingest" "extra" list),
plus "viewer" true for the processes that verify viewer sessions (query, export), and
"auth" false for a process that verifies no JWT (the maintenance worker).
*/}}
{{- define "auditlog.env" -}}
{{- $root := .root -}}
{{- if .user }}
- name: OPENSEARCH_USERNAME
  value: {{ (index $root.Values.opensearch.users .user).username | quote }}
- name: OPENSEARCH_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "auditlog.opensearchSecret" $root }}
      key: opensearch-{{ .user }}-password
{{- end }}
{{- if $root.Values.redis.sentinels }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "auditlog.redisSecret" $root }}
      key: redis-password
      optional: {{ not $root.Values.redis.password }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "auditlog.redisSecret" $root }}
      key: redis-sentinel-password
      optional: {{ not $root.Values.redis.sentinelPassword }}
{{- else }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "auditlog.redisSecret" $root }}
      key: redis-url
{{- end }}
{{- if ne .auth false }}
{{- if or $root.Values.auth.jwtSecret $root.Values.auth.existingSecret }}
- name: AUTH_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "auditlog.authSecret" $root }}
      key: jwt-secret
      optional: {{ not $root.Values.auth.jwtSecret }}
{{- end }}
{{- if or $root.Values.auth.jwtPublicKey $root.Values.auth.existingSecret }}
- name: AUTH_JWT_PUBLIC_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "auditlog.authSecret" $root }}
      key: jwt-public-key
      optional: {{ not $root.Values.auth.jwtPublicKey }}
{{- end }}
{{- end }}
{{- if and .viewer (or $root.Values.viewerTokens.sessionSecret $root.Values.viewerTokens.existingSecret) }}
- name: VIEWER_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "auditlog.viewerTokensSecret" $root }}
      key: viewer-session-secret
      optional: {{ not $root.Values.viewerTokens.sessionSecret }}
{{- end }}
{{- if and .streams $root.Values.streams.secretsKey.existingSecret }}
- name: STREAM_SECRETS_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.streams.secretsKey.existingSecret | quote }}
      key: {{ $root.Values.streams.secretsKey.key | quote }}
{{- end }}
{{- with $root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "auditlog.envFrom" -}}
- configMapRef:
    name: {{ include "auditlog.fullname" . }}
{{- with .Values.extraEnvFrom }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "auditlog.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "auditlog.containerSecurityContext" -}}
{{ toYaml .Values.securityContext }}
{{- end -}}

{{/* Rolls pods when the chart-managed configuration or secrets change. */}}
{{- define "auditlog.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}
