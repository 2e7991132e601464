from django.urls import include, path

from chatsite import views

urlpatterns = [
    path("", views.home),
    path("rooms/<slug:name>/", views.room),
    # deploy-harness's contract routes, for its scenarios (stack.toml: contract_prefix).
    path("_harness/", include("harness_contract.django")),
]
