from django.contrib import admin
from django.urls import include, path

from .api import api

admin.site.site_header = "救助 · 社会救助综合管理信息平台"
admin.site.site_title = "救助管理后台"
admin.site.index_title = "配置管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("jiuzhu.accounts.urls")),
    path("audit/", include("jiuzhu.audit.urls")),
    path("exchange/", include("jiuzhu.exchange.urls")),
    path("migration/", include("jiuzhu.migration.urls")),
    path("verification/", include("jiuzhu.verification.urls")),
    path("policy/", include("jiuzhu.policy.urls")),
    path("workflow/docs/", include("jiuzhu.workflow.urls_docs")),
    path("workflow/cases/", include("jiuzhu.workflow.urls_case")),
    path("workflow/board/", include("jiuzhu.workflow.urls_board")),
    path("benefits/", include("jiuzhu.benefits.urls")),
    path("workflow/notices/", include("jiuzhu.workflow.urls_notices")),
    path("workflow/temporary/", include("jiuzhu.workflow.urls_temporary")),
    path("workflow/", include("jiuzhu.workflow.urls")),
    path("intake/", include("jiuzhu.intake.urls")),
    path("monitoring/runs/", include("jiuzhu.monitoring.urls_runs")),
    path("oversight/", include("jiuzhu.payments.urls_oversight")),
    path("monitoring/", include("jiuzhu.monitoring.urls")),
    path("apply/", include("jiuzhu.intake.urls_public")),
    path("monitoring/rules/", include("jiuzhu.monitoring.urls_rules")),
    path("payments/bank/", include("jiuzhu.payments.urls_bank")),
    path("payments/payrolls/", include("jiuzhu.payments.urls")),
    path("", include("jiuzhu.registry.urls")),
]
