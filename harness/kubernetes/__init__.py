"""A stack on Kubernetes, offline: its manifests written, validated and checked.

manifests.py builds them from a StackSpec and its effective configs; writing.py writes YAML;
reading.py reads a folder back; validation.py holds them to Kubernetes' schemas
(kubernetes-validate); facts.py reads what they say; relations.py checks them against each
other and the declared values (declared.py, ingress.py, lifecycle.py); checking.py is
`harness check-manifests`. No cluster is needed or touched: docs/kubernetes.md.
"""
