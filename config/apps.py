from django.apps import AppConfig


class WiringConfig(AppConfig):
    """``config`` as an app only to hold the commands that wire every app together (``seed_demo``
    loads each app's demo data, ``run_embedded`` starts the web server with a Celery worker): they
    import from every layer, so they live on top, where the import contract allows it."""

    name = "config"
    label = "config"
