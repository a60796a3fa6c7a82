{{/* Chart name, truncated to the 63 characters Kubernetes allows in a name. */}}
{{- define "compute-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "compute-agent.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "compute-agent.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that never change for a release: the DaemonSet's selector. */}}
{{- define "compute-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "compute-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "compute-agent.labels" -}}
helm.sh/chart: {{ include "compute-agent.chart" . }}
{{ include "compute-agent.selectorLabels" . }}
app.kubernetes.io/component: agent
app.kubernetes.io/part-of: compute-agent
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "compute-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "compute-agent.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret with the credentials: the operator's own, or the one this chart makes. */}}
{{- define "compute-agent.secretName" -}}
{{- default (include "compute-agent.fullname" .) .Values.credentials.existingSecret }}
{{- end }}

{{- define "compute-agent.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Grace period after SIGTERM: above the agent's own shutdown bound, so that in-flight commands
finish (and are acked) before Kubernetes kills the process. Default: the bound + 60 s (Spring's
shutdown phase gets the bound + 30 s, the rest is for the JVM to exit).
*/}}
{{- define "compute-agent.terminationGracePeriodSeconds" -}}
{{- $bound := int .Values.config.shutdownTimeoutSeconds }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $bound 60 }}
{{- else }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- if le $grace $bound }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be above config.shutdownTimeoutSeconds (%d): Kubernetes would kill the agent while it finishes in-flight commands" $grace $bound) }}
{{- end }}
{{- $grace }}
{{- end }}
{{- end }}

{{/* Whether the agent runs as its non-root user (the host's libvirt group id is known). */}}
{{- define "compute-agent.nonRoot" -}}
{{- if not (kindIs "invalid" .Values.libvirt.socketGroupId) }}true{{ end }}
{{- end }}

{{/*
The Secret holding the agent-to-agent keys: the chart's own, or internalAuth.existingSecret.
*/}}
{{- define "compute-agent.internalKeysSecretName" -}}
{{- default (printf "%s-internal-keys" (include "compute-agent.fullname" .)) .Values.internalAuth.existingSecret }}
{{- end }}
