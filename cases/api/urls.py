from rest_framework.routers import SimpleRouter

from cases.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("home-visits", views.HomeVisitViewSet, basename="home-visit")

urlpatterns = router.urls
