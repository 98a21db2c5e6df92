{{/* The chart name, or nameOverride. */}}
{{- define "rotor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the release name alone when it already contains the chart name. */}}
{{- define "rotor.fullname" -}}
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

{{/* The full name with a suffix, within 63 characters. */}}
{{- define "rotor.componentName" -}}
{{- $ctx := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- printf "%s%s" (include "rotor.fullname" $ctx | trunc (int (sub 63 (len $suffix))) | trimSuffix "-") $suffix -}}
{{- end }}

{{- define "rotor.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rotor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rotor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rotor.labels" -}}
helm.sh/chart: {{ include "rotor.chart" . }}
{{ include "rotor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: rotor
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "rotor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rotor.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository@digest. */}}
{{- define "rotor.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Settings the chart cannot work with, refused at render time. */}}
{{- define "rotor.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled: without the Lease every replica would reconcile" }}
{{- end }}
{{- if and .Values.rbac.namespaced (empty .Values.namespaces) }}
{{- fail "rbac.namespaced needs `namespaces`: the namespaces to grant access in (and to watch)" }}
{{- end }}
{{- end }}

{{/*
What the operator does in a namespace it watches (the ClusterRole's rules in a cluster-wide
install, a Role's in each watched namespace otherwise). Every verb is one the code uses:
  - ExternalSecrets, SecretStores: list/watch (informers); status: update (PUT /status).
  - PushSecrets list/watch (informer), update (the cleanup finalizer of deletionPolicy
    Delete); status: update.
  - ExternalSecrets get/create/update/delete: those a ClusterExternalSecret keeps in the
    namespaces it selects (get: one of the same name it does not manage is never overwritten).
  - externalsecrets/finalizers update: see rbac.ownerReferencesPermissionEnforcement.
  - Secrets: list/watch (the informer, filtered by rotor.dev/managed=true; RBAC cannot
    express a label filter), get (target and credential Secrets), create/update (the managed
    Secret), delete (deletionPolicy Delete).
  - serviceaccounts/token create: TokenRequest (rbac.serviceAccountTokens).
  - events create/patch: core/v1 Events about ExternalSecrets (patch bumps count).
  - deployments/statefulsets/daemonsets get/patch: rotation restart targets (rbac.restartTargets).
*/}}
{{- define "rotor.namespacedRules" -}}
- apiGroups: ["rotor.dev"]
  resources: ["externalsecrets", "secretstores"]
  verbs: ["list", "watch"]
- apiGroups: ["rotor.dev"]
  resources: ["externalsecrets"]
  verbs: ["get", "create", "update", "delete"]
- apiGroups: ["rotor.dev"]
  resources: ["pushsecrets"]
  verbs: ["list", "watch", "update"]
- apiGroups: ["rotor.dev"]
  resources: ["externalsecrets/status", "secretstores/status", "pushsecrets/status"]
  verbs: ["update"]
{{- if .Values.rbac.ownerReferencesPermissionEnforcement }}
- apiGroups: ["rotor.dev"]
  resources: ["externalsecrets/finalizers"]
  verbs: ["update"]
{{- end }}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
{{- if .Values.rbac.serviceAccountTokens }}
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
{{- end }}
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.rbac.restartTargets }}
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["get", "patch"]
{{- end }}
{{- end }}

{{/*
What is cluster-wide by nature: ClusterSecretStores and ClusterExternalSecrets (list/watch,
status update; the latter's finalizers for the ExternalSecrets it owns, see
rbac.ownerReferencesPermissionEnforcement) and
Namespaces (the labels a ClusterSecretStore's namespaceSelector condition matches): get,
plus list/watch in a cluster-wide install, where the operator keeps them in a cache (a
namespaced install reads them with one GET per lookup). A lookup that fails refuses the store.
*/}}
{{- define "rotor.clusterRules" -}}
- apiGroups: ["rotor.dev"]
  resources: ["clustersecretstores", "clusterexternalsecrets"]
  verbs: ["list", "watch"]
- apiGroups: ["rotor.dev"]
  resources: ["clustersecretstores/status", "clusterexternalsecrets/status"]
  verbs: ["update"]
{{- if .Values.rbac.ownerReferencesPermissionEnforcement }}
- apiGroups: ["rotor.dev"]
  resources: ["clusterexternalsecrets/finalizers"]
  verbs: ["update"]
{{- end }}
- apiGroups: [""]
  resources: ["namespaces"]
  {{- if .Values.rbac.namespaced }}
  verbs: ["get"]
  {{- else }}
  verbs: ["get", "list", "watch"]
  {{- end }}
{{- end }}
