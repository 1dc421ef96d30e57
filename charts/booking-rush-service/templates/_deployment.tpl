{{/* A long-running service or worker: Deployment + Service (for probes, metrics and, for APIs, traffic). */}}
{{- define "booking-rush.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
    booking-rush/kind: {{ .service.kind }}
spec:
  {{- /* An HPA or KEDA owns the replica count when it scales the service. */}}
  {{- if not .autoscaled }}
  replicas: {{ .service.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "booking-rush.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "booking-rush.selectorLabels" . | nindent 8 }}
        booking-rush/kind: {{ .service.kind }}
      annotations:
        {{- if .service.scrape }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .service.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        checksum/config: {{ .root.Values.config | toJson | sha256sum }}
    spec:
      serviceAccountName: {{ include "booking-rush.fullname" . }}
      automountServiceAccountToken: {{ .service.rbac.leases }}
      terminationGracePeriodSeconds: {{ .service.terminationGracePeriodSeconds }}
      securityContext:
        runAsNonRoot: true
        fsGroup: 1000
      containers:
        {{- include "booking-rush.container" . | nindent 8 }}
      volumes:
        - name: tmp
          emptyDir: {}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
spec:
  selector:
    {{- include "booking-rush.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "booking-rush.selectorLabels" . | nindent 6 }}
{{- end -}}
