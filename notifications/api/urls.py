from rest_framework.routers import SimpleRouter

from notifications.api import views

router = SimpleRouter()
# Deliveries first: "notifications/deliveries/" must not be read as a message id.
router.register("notifications/deliveries", views.DeliveryViewSet, basename="notification-delivery")
router.register("notifications", views.InboxViewSet, basename="notification")

urlpatterns = router.urls
