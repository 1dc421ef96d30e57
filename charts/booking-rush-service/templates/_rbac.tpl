{{/* Least privilege: a ServiceAccount per service; only leader-electing workers may touch Leases. */}}
{{- define "booking-rush.rbac" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
automountServiceAccountToken: false
{{- if .service.rbac.leases }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
rules:
  - apiGroups: ["coordination.k8s.io"]
    resources: ["leases"]
    verbs: ["get", "create", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "booking-rush.fullname" . }}
subjects:
  - kind: ServiceAccount
    name: {{ include "booking-rush.fullname" . }}
    namespace: {{ .root.Release.Namespace }}
{{- end }}
{{- end -}}
