from django.contrib import admin

from tenants.models import Domain, Provider, SpareSchema


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ("domain", "kind", "is_primary", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "schema_name", "owner_phone", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "schema_name", "owner_phone", "domains__domain")
    readonly_fields = ("name", "schema_name", "created_at")
    inlines = [DomainInline]

    def has_add_permission(self, request: object) -> bool:
        return False  # providers are provisioned by signup or create_provider, never half-made here

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False  # nothing is ever deleted from the console


@admin.register(SpareSchema)
class SpareSchemaAdmin(admin.ModelAdmin):
    list_display = ("name", "fingerprint", "created_at")
