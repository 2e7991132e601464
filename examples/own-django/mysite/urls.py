from django.urls import include, path

from mysite import views

urlpatterns = [
    path("", views.home),
    # deploy-harness's contract routes, for its scenarios (stack.toml: contract_prefix).
    path("_harness/", include("harness_contract.django")),
]
