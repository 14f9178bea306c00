from django.apps import AppConfig


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = "Consortium"

    def import_models(self) -> None:
        super().import_models()
        # The issued credentials' model lives with the credentials (consortium/credentials/).
        from consortium.credentials import models

        if self.models_module is None:
            self.models_module = models
