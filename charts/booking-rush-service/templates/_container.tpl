{{/* What every container of a service has, long-running or a job: the monorepo image running its entrypoint, settings, limits, hardening. */}}
{{- define "booking-rush.containerBase" -}}
- name: {{ .name }}
  image: {{ include "booking-rush.image" . }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  args: [{{ .service.entrypoint | quote }}]
  {{- include "booking-rush.env" . | nindent 2 }}
  resources:
    {{- toYaml .service.resources | nindent 4 }}
  securityContext:
    {{- include "booking-rush.securityContext" . | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end -}}

{{/* A long-running service's container: the base, serving HTTP, probed on /healthz and /readyz. */}}
{{- define "booking-rush.container" -}}
{{ include "booking-rush.containerBase" . }}
  ports:
    - name: http
      containerPort: {{ .service.port }}
  livenessProbe:
    httpGet: { path: /healthz, port: http }
    periodSeconds: 10
    failureThreshold: 3
  readinessProbe:
    httpGet: { path: /readyz, port: http }
    periodSeconds: 5
    failureThreshold: 2
  startupProbe:
    httpGet: { path: /healthz, port: http }
    periodSeconds: 2
    failureThreshold: 30
  {{- with .service.preStopSleepSeconds }}
  lifecycle:
    preStop:
      sleep: { seconds: {{ . }} }
  {{- end }}
{{- end -}}
