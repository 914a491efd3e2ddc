from typing import Any

from django.urls import path
from rest_framework.routers import SimpleRouter

from plans.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="plan")

_collection: dict[str, Any] = {"get": "list", "post": "create"}
_member: dict[str, Any] = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

urlpatterns = [
    *router.urls,
    path("plans/<id:pk>/pdf", views.plan_pdf, name="plan-pdf"),
    path("plans/<id:pk>/fhir", views.plan_fhir, name="plan-fhir"),
    path("plans/<id:plan_pk>/goals/", views.GoalViewSet.as_view(_collection), name="plan-goal-list"),
    path("plans/<id:plan_pk>/goals/<id:pk>/", views.GoalViewSet.as_view(_member), name="plan-goal-detail"),
    path(
        "plans/<id:plan_pk>/goals/<id:pk>/assessment/",
        views.GoalViewSet.as_view({"post": "assessment"}),
        name="plan-goal-assessment",
    ),
    path(
        "plans/<id:plan_pk>/participants/",
        views.ParticipantViewSet.as_view(_collection),
        name="plan-participant-list",
    ),
    path(
        "plans/<id:plan_pk>/participants/<id:pk>/",
        views.ParticipantViewSet.as_view(_member),
        name="plan-participant-detail",
    ),
    path("plans/<id:plan_pk>/measures/", views.MeasureViewSet.as_view(_collection), name="plan-measure-list"),
    path(
        "plans/<id:plan_pk>/measures/<id:pk>/",
        views.MeasureViewSet.as_view(_member),
        name="plan-measure-detail",
    ),
]
