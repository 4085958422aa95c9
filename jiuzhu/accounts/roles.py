"""The responsibility list (责任清单) as configuration.

Each role is a Django group of the same code; its permissions are seeded from ``ROLES`` by
``roles_sync`` and may then be edited in the admin. The page shown to users is generated from the
groups as they are in the database, so it always says what the system actually allows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiuzhu.regions.codes import Level


class Role(models.TextChoices):
    VILLAGE_ASSISTANT = "village_assistant", _("村(居)协理员")
    TOWNSHIP_CASEWORKER = "township_caseworker", _("乡镇经办")
    TOWNSHIP_REVIEWER = "township_reviewer", _("乡镇审核")
    COUNTY_APPROVER = "county_approver", _("县级审批")
    VERIFICATION_OFFICER = "verification_officer", _("核对中心")
    DEPARTMENT_LIAISON = "department_liaison", _("部门联络员")
    CHARITY_WORKER = "charity_worker", _("慈善/社工机构")
    AUDITOR = "auditor", _("督查")
    ADMIN = "admin", _("管理员")

    @property
    def label(self) -> str:
        """The label in the active language, as a plain ``str``: it goes into API schemas, joins and
        format specs, which a lazy string does not survive."""
        return str(self._label_)


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    levels: tuple[Level, ...]
    duties_text: str | Promise  # lazily translated; read ``duties``
    permissions: tuple[str, ...]

    @property
    def duties(self) -> str:
        """The duties in the active language."""
        return str(self.duties_text)


_READ = ("registry.view_household", "registry.view_person")
_WRITE = (
    "registry.add_household",
    "registry.change_household",
    "registry.add_person",
    "registry.change_person",
    "registry.add_membership",
    "registry.change_membership",
    "registry.add_personcategory",
    "registry.change_personcategory",
)
_VERIFY = (
    "verification.add_verificationreport",
    "verification.view_verificationreport",
    "verification.add_authorisation",
    "verification.view_authorisation",
)
_FEEDS = ("exchange.add_importbatch", "exchange.view_importbatch")
_CASE_READ = ("workflow.view_case",)
_CASE = (*_CASE_READ, "workflow.change_case")

ROLES: dict[Role, RoleSpec] = {
    spec.role: spec
    for spec in [
        RoleSpec(
            Role.VILLAGE_ASSISTANT,
            (Level.VILLAGE, Level.TOWNSHIP),
            _("帮办代办申请、入户走访、张贴公示、定期探访、主动发现困难群众并报告"),
            (
                *_READ,
                "registry.add_person",
                "registry.change_person",
                "verification.add_authorisation",
                *_CASE_READ,
            ),
        ),
        RoleSpec(
            Role.TOWNSHIP_CASEWORKER,
            (Level.TOWNSHIP,),
            _("一门受理、入户调查、预警核实、转办转介，维护一户一档"),
            (*_READ, *_WRITE, *_VERIFY, "registry.view_full_id_number", *_CASE),
        ),
        RoleSpec(
            Role.TOWNSHIP_REVIEWER,
            (Level.TOWNSHIP,),
            _("提出审核意见、组织公示；受委托时确认"),
            (*_READ, "registry.view_full_id_number", "verification.view_verificationreport", *_CASE),
        ),
        RoleSpec(
            Role.COUNTY_APPROVER,
            (Level.COUNTY,),
            _("审批确认、抽查、近亲属备案案件入户核查"),
            (*_READ, *_WRITE, *_VERIFY, "registry.view_full_id_number", *_CASE),
        ),
        RoleSpec(
            Role.VERIFICATION_OFFICER,
            (Level.COUNTY, Level.CITY),
            _("一键核对、出具核对报告、导入部门数据"),
            (*_READ, *_VERIFY, *_FEEDS, "registry.view_full_id_number"),
        ),
        RoleSpec(
            Role.DEPARTMENT_LIAISON,
            tuple(Level),
            _("接收并答复本部门的转办事项"),
            (),
        ),
        RoleSpec(
            Role.CHARITY_WORKER,
            tuple(Level),
            _("认领微心愿与转介事项、登记服务记录"),
            (),
        ),
        RoleSpec(
            Role.AUDITOR,
            tuple(Level),
            _("只读查阅档案、审计日志与资金监管"),
            (*_READ, "audit.view_auditevent", "verification.view_verificationreport", *_CASE_READ),
        ),
        RoleSpec(
            Role.ADMIN,
            (Level.PROVINCE, Level.CITY, Level.COUNTY),
            _("维护政策参数、工作日历、用户与区划"),
            (
                *_READ,
                "regions.view_region",
                "regions.add_region",
                "regions.change_region",
                "accounts.view_user",
                "accounts.add_user",
                "accounts.change_user",
                "audit.view_auditevent",
                "policy.view_policyversion",
                "policy.add_policyversion",
                "policy.change_policyversion",
                "policy.view_holidayday",
                "policy.add_holidayday",
                "policy.change_holidayday",
                "policy.delete_holidayday",
                "policy.view_calendaryear",
                "policy.add_calendaryear",
                "policy.change_calendaryear",
                "verification.view_verificationreport",
                "verification.view_needmodel",
                *_FEEDS,
                "workflow.view_definition",
            ),
        ),
    ]
}


# 一门受理 (applications, 异地协作核查) and the notices of the procedure.
_INTAKE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.TOWNSHIP_CASEWORKER: (
        "intake.add_application",
        "intake.change_application",
        "intake.view_application",
        "intake.view_cooperationrequest",
        "intake.change_cooperationrequest",
        "workflow.view_notice",
    ),
    Role.VILLAGE_ASSISTANT: ("intake.add_application", "intake.view_application", "workflow.view_notice"),
    Role.TOWNSHIP_REVIEWER: ("intake.view_application", "workflow.view_notice"),
    Role.COUNTY_APPROVER: (
        "intake.view_application",
        "intake.view_cooperationrequest",
        "intake.change_cooperationrequest",
        "workflow.view_notice",
    ),
    Role.AUDITOR: ("intake.view_application", "intake.view_cooperationrequest", "workflow.view_notice"),
    Role.ADMIN: (
        "policy.view_noticetemplate",
        "policy.add_noticetemplate",
        "policy.change_noticetemplate",
        "workflow.view_notice",
    ),
}
for _role, _extra in _INTAKE_PERMISSIONS.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_extra))


# Decisions and entitlements (救助决定与在保): the confirming roles record them (the county, or the township
# where confirmation is delegated); those who follow a household read them. Added to the roles above.
_BENEFITS: dict[Role, tuple[str, ...]] = {
    Role.COUNTY_APPROVER: (
        "benefits.add_decision",
        "benefits.view_decision",
        "benefits.add_entitlement",
        "benefits.view_entitlement",
    ),
    Role.TOWNSHIP_REVIEWER: (
        "benefits.add_decision",
        "benefits.view_decision",
        "benefits.add_entitlement",
        "benefits.view_entitlement",
    ),
    Role.TOWNSHIP_CASEWORKER: ("benefits.view_decision", "benefits.view_entitlement"),
    Role.VILLAGE_ASSISTANT: ("benefits.view_entitlement",),
    Role.AUDITOR: ("benefits.view_decision", "benefits.view_entitlement"),
}
for _role, _perms in _BENEFITS.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_perms))


# 先行救助 (临时救助, rules §5): the township's caseworker pays at once from the standing reserve within the
# township's cap (the grant and its entitlement are recorded by the 先行救助 service itself, not as a
# case's decision); the township's reviewer, the county and the auditors read the register.
_PRIOR_AID: dict[Role, tuple[str, ...]] = {
    Role.TOWNSHIP_CASEWORKER: ("workflow.add_prioraid", "workflow.view_prioraid"),
    Role.TOWNSHIP_REVIEWER: ("workflow.view_prioraid",),
    Role.COUNTY_APPROVER: ("workflow.view_prioraid",),
    Role.AUDITOR: ("workflow.view_prioraid",),
}
for _role, _perms in _PRIOR_AID.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_perms))


# The life of an entitlement (rules §1.11): who changes an entitlement outside a review (调整、暂停、终止、
# 渐退: the confirming roles), and the recomputation after a raised standard (the county approver lists,
# approves and applies it; the auditor reads it). Added to the roles above.
_LIFE: dict[Role, tuple[str, ...]] = {
    Role.COUNTY_APPROVER: (
        "benefits.change_entitlement",
        "benefits.view_standardrecomputation",
        "benefits.add_standardrecomputation",
        "benefits.change_standardrecomputation",
    ),
    Role.TOWNSHIP_REVIEWER: ("benefits.change_entitlement",),
    Role.AUDITOR: ("benefits.view_standardrecomputation",),
}
for _role, _perms in _LIFE.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_perms))


# Integrity (诚信): the township reviewer and the county approver record findings of hidden income or
# assets and collections of recoveries; the county approver writes recoveries off and revokes dishonesty
# records (the services check the role); those who follow a household read them.
_INTEGRITY_READ = (
    "benefits.view_concealmentfinding",
    "benefits.view_dishonestyrecord",
    "benefits.view_overpaymentrecovery",
)
_INTEGRITY: dict[Role, tuple[str, ...]] = {
    Role.COUNTY_APPROVER: (
        *_INTEGRITY_READ,
        "benefits.add_concealmentfinding",
        "benefits.change_overpaymentrecovery",
        "benefits.change_dishonestyrecord",
    ),
    Role.TOWNSHIP_REVIEWER: (
        *_INTEGRITY_READ,
        "benefits.add_concealmentfinding",
        "benefits.change_overpaymentrecovery",
    ),
    Role.TOWNSHIP_CASEWORKER: _INTEGRITY_READ,
    Role.AUDITOR: _INTEGRITY_READ,
}
for _role, _perms in _INTEGRITY.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_perms))


# 存量对象导入 (migration of existing beneficiaries): county-level staff who confirm, and administrators.
_MIGRATION: dict[Role, tuple[str, ...]] = {
    Role.COUNTY_APPROVER: ("migration.add_migrationbatch", "migration.view_migrationbatch"),
    Role.ADMIN: ("migration.add_migrationbatch", "migration.view_migrationbatch"),
}
for _role, _perms in _MIGRATION.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_perms))


# 发放 (payroll) and the bank (银行代发与回盘对账): the county approver generates, checks, submits and
# approves the county's payrolls, exports the bank file and imports the bank's answers; the township staff
# verify the holds of their township; the auditor reads.
_PAYROLL_READ = (
    "payments.view_payroll",
    "payments.view_payrollline",
    "payments.view_payrollhold",
)
_PAYROLL: dict[Role, tuple[str, ...]] = {
    Role.COUNTY_APPROVER: (
        *_PAYROLL_READ,
        "payments.add_payroll",
        "payments.change_payroll",
        "payments.view_bankreturn",
        "payments.add_bankreturn",
    ),
    Role.TOWNSHIP_CASEWORKER: (*_PAYROLL_READ, "payments.change_payrollhold"),
    Role.TOWNSHIP_REVIEWER: (*_PAYROLL_READ, "payments.change_payrollhold"),
    Role.AUDITOR: (*_PAYROLL_READ, "payments.view_bankreturn"),
}
for _role, _perms in _PAYROLL.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_perms))


# 动态监测预警 (rules §7): the township's caseworker verifies the warnings dispatched to the township and
# gives each its outcome; the village assistant verifies the leads of the village (主动发现); the county
# approver follows the county's escalated warnings and may close them; the reviewer and the auditor read.
_MONITORING: dict[Role, tuple[str, ...]] = {
    Role.TOWNSHIP_CASEWORKER: ("monitoring.view_warning", "monitoring.change_warning"),
    Role.VILLAGE_ASSISTANT: ("monitoring.view_warning", "monitoring.change_warning"),
    Role.TOWNSHIP_REVIEWER: ("monitoring.view_warning",),
    Role.COUNTY_APPROVER: ("monitoring.view_warning", "monitoring.change_warning"),
    Role.AUDITOR: ("monitoring.view_warning",),
}
for _role, _perms in _MONITORING.items():
    ROLES[_role] = replace(ROLES[_role], permissions=(*ROLES[_role].permissions, *_perms))
