from rest_framework.routers import SimpleRouter

from quality_conversations.api import views

router = SimpleRouter()
router.register("quality-conversations", views.QualityConversationViewSet, basename="quality-conversation")

urlpatterns = router.urls
