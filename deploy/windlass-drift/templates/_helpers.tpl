{{/* The release's full name, at most 52 characters (a CronJob's name limit). */}}
{{- define "windlass-drift.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "windlass-drift.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "windlass-drift.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels that identify the check's pods. */}}
{{- define "windlass-drift.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The service account the check runs as. */}}
{{- define "windlass-drift.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "windlass-drift.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Fails the render when a rule grants more than reading. */}}
{{- define "windlass-drift.readOnlyRules" -}}
{{- range .Values.rbac.rules -}}
{{- range .verbs -}}
{{- if not (has . (list "get" "list" "watch")) -}}
{{- fail (printf "rbac.rules: verb %q is not read-only; a drift check needs only get, list and watch" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml .Values.rbac.rules -}}
{{- end -}}
