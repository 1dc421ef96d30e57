{{/*
Names and labels shared by every object of one service. Each template takes a dict:
  root    the umbrella chart's root context ($)
  name    the service's key in .Values.services (e.g. "booking", "payment-worker")
  service that service's values
*/}}
{{- define "booking-rush.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "booking-rush.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: booking-rush
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "booking-rush.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* The one image of the monorepo, always with an explicit tag (never latest). */}}
{{- define "booking-rush.image" -}}
{{- if or (not .root.Values.image.tag) (eq (toString .root.Values.image.tag) "latest") -}}
{{- fail "image.tag must be set to a version, never latest" -}}
{{- end -}}
{{- printf "%s:%s" .root.Values.image.repository (toString .root.Values.image.tag) -}}
{{- end -}}

{{/* Settings every container gets: the ConfigMap and the Secret of the release, then the service's own. */}}
{{- define "booking-rush.env" -}}
envFrom:
  - configMapRef:
      name: {{ .root.Release.Name }}-config
  - secretRef:
      name: {{ .root.Values.secrets.existingSecret | default (printf "%s-secrets" .root.Release.Name) }}
env:
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: PORT
    value: {{ .service.port | quote }}
  {{- range $key, $value := .service.env }}
  - name: {{ $key }}
    value: {{ $value | quote }}
  {{- end }}
{{- end -}}

{{- define "booking-rush.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
