from django.contrib import admin

from jiuzhu.core.admin import JurisdictionAdmin

from .models import Region


@admin.register(Region)
class RegionAdmin(JurisdictionAdmin):
    region_lookup = "code"
    list_display = ("code", "name", "level", "urban_rural", "parent")
    list_filter = ("level", "urban_rural")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    list_per_page = 50

    def region_code_of(self, obj: Region) -> str | None:
        return obj.code
