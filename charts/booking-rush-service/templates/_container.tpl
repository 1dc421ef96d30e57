{{/* The service's container: the monorepo image running its entrypoint, probes on /healthz and /readyz. */}}
{{- define "booking-rush.container" -}}
- name: {{ .name }}
  image: {{ include "booking-rush.image" . }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  args: [{{ .service.entrypoint | quote }}]
  {{- include "booking-rush.env" . | nindent 2 }}
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
  resources:
    {{- toYaml .service.resources | nindent 4 }}
  securityContext:
    {{- include "booking-rush.securityContext" . | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end -}}
