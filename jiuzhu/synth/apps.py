from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "jiuzhu.synth"
    verbose_name = "合成数据"
