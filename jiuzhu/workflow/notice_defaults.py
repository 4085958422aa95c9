"""The built-in text of each notice (rules §1.3, §1.7), used where a region has entered no template of
its own (``policy.NoticeTemplate``). Django template strings rendered with the notice's facts
(``jiuzhu.workflow.notices.NOTICE_FACTS``); the handbook prints them as they are."""

from __future__ import annotations

from jiuzhu.core.vocab import NoticeKind
from jiuzhu.regions.codes import Level

# The document prefix (文号前缀) of a region without a template: the issuing region's name is put before
# it, so that two regions never share a number ("东镇民救〔2026〕3号").
DEFAULT_PREFIX = "民救"

_REMEDY = (
    "如对本决定不服，可自收到本通知书之日起六十日内依法申请行政复议，或者自收到本通知书之日起六个月内"
    "依法向人民法院提起行政诉讼。"
)

# kind → (title, body)
DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    NoticeKind.ACCEPTANCE: (
        "受理通知书",
        "{{ applicant_name }}：\n"
        "你（户）于{{ applied_on }}提出的{{ program_label }}申请，经审查材料齐全，本机关决定予以受理，"
        "受理日期为{{ accepted_on }}{% if case_number %}，案件编号为{{ case_number }}{% endif %}。\n"
        "本机关将依法对你家庭的经济状况进行调查核实，请如实提供情况并予以配合。"
        "{% if deadline %}本案将于{{ deadline }}前办结，情况特殊的可依法延长。{% endif %}\n"
        "{% if application_no %}你可凭申请编号{{ application_no }}"
        "{% if query_code %}、查询码{{ query_code }}{% endif %}及申请人身份证号码后六位"
        "查询办理进度。{% endif %}",
    ),
    NoticeKind.REFUSAL_TO_ACCEPT: (
        "不予受理通知书",
        "{{ applicant_name }}：\n"
        "你（户）于{{ applied_on }}提出的{{ program_label }}申请，经审查，因下列原因，本机关决定不予受理：\n"
        "{% for reason in reasons %}{{ forloop.counter }}．{{ reason }}\n{% endfor %}" + _REMEDY,
    ),
    NoticeKind.MISSING_ITEMS: (
        "一次性告知书",
        "{{ applicant_name }}：\n"
        "你（户）于{{ applied_on }}提出的{{ program_label }}申请，所提交的材料尚不齐全。"
        "现一次性告知需要补正的全部材料如下：\n"
        "{% for item in missing_items %}{{ forloop.counter }}．{{ item }}\n{% endfor %}"
        "{% if deadline %}请于{{ deadline }}前补齐上述材料。{% endif %}"
        "材料补齐后本机关即予受理；补正材料期间不计入办理时限。",
    ),
    NoticeKind.CONFIRMATION: (
        "确认通知书",
        "{{ applicant_name }}（身份证号码 {{ id_number_masked }}）：\n"
        "你（户）于{{ applied_on }}提出的{{ program_label }}申请，经调查核实和审核，本机关于{{ decided_on }}"
        "确认给予{{ program_label }}。保障人口{{ household_size }}人，"
        '{% if payment == "once" %}一次性救助金额{{ amount }}元。'
        '{% elif payment == "no_cash" %}不发放救助金，按规定享受相应的专项救助。'
        "{% else %}月保障金额{{ amount }}元。{% endif %}\n"
        "{% if computation_lines %}保障金额计算如下：\n"
        "{% for line in computation_lines %}{{ line }}\n{% endfor %}{% endif %}"
        "家庭人口、收入、财产等情况发生变化的，请及时告知所在乡镇人民政府（街道办事处）。",
    ),
    NoticeKind.REFUSAL: (
        "不予确认通知书",
        "{{ applicant_name }}：\n"
        "你（户）于{{ applied_on }}提出的{{ program_label }}申请，经调查核实和审核，因下列原因，"
        "本机关于{{ decided_on }}决定不予确认：\n"
        "{% for reason in reasons %}{{ forloop.counter }}．{{ reason }}\n{% endfor %}" + _REMEDY,
    ),
    NoticeKind.PUBLIC_NOTICE: (
        "公示",
        "经{{ region_name }}调查核实和审核，下列家庭拟纳入{{ program_label }}，现予公示：\n"
        "申请人：{{ applicant_name }}；家庭人口：{{ household_size }}人；拟保障金额：{{ amount }}元/月。\n"
        "{% if deadline %}公示期至{{ deadline }}。{% endif %}"
        "如有异议，请在公示期内向{{ region_name }}反映。",
    ),
}
DEFAULT_TEXTS[NoticeKind.PRIOR_AID] = (
    "先行救助登记告知书",
    "{{ applicant_name }}（身份证号码 {{ id_number_masked }}）：\n"
    "因{% for reason in reasons %}{{ reason }}{% endfor %}，本机关于{{ decided_on }}对你先行给予"
    "{{ program_label }}{{ amount }}元（案件编号{{ case_number }}）。\n"
    "请于{{ deadline }}前配合补办申请、调查核实和签字手续；经审批后，本次先行救助予以追认，"
    "核定的救助金额高于已发放金额的，差额另行发放。",
)

# The notices of the life of an entitlement (rules §1.11: a reduction or a stop needs a legal ground, and
# the household is told the reasons).
DEFAULT_TEXTS[NoticeKind.ADJUSTMENT] = (
    "调整告知书",
    "{{ applicant_name }}（身份证号码 {{ id_number_masked }}）：\n"
    "经{% if case_number %}定期复核（案件编号{{ case_number }}）{% else %}核实{% endif %}，"
    "你（户）享受的{{ program_label }}自{{ from_month }}起调整：月保障金额由{{ old_amount }}元调整为"
    "{{ amount }}元。\n"
    "{% if reasons %}调整原因：\n"
    "{% for reason in reasons %}{{ forloop.counter }}．{{ reason }}\n{% endfor %}{% endif %}"
    "{% if computation_lines %}调整后的保障金额计算如下：\n"
    "{% for line in computation_lines %}{{ line }}\n{% endfor %}{% endif %}" + _REMEDY,
)
DEFAULT_TEXTS[NoticeKind.SUSPENSION] = (
    "暂停发放告知书",
    "{{ applicant_name }}（身份证号码 {{ id_number_masked }}）：\n"
    "因下列原因，你（户）享受的{{ program_label }}自{{ from_month }}起暂停发放：\n"
    "{% for reason in reasons %}{{ forloop.counter }}．{{ reason }}\n{% endfor %}"
    "请于收到本告知书后及时与所在乡镇人民政府（街道办事处）联系，配合核查；"
    "情况核实后将依法恢复发放或作出其他决定。",
)
DEFAULT_TEXTS[NoticeKind.TERMINATION] = (
    "终止救助告知书",
    "{{ applicant_name }}（身份证号码 {{ id_number_masked }}）：\n"
    "经{% if case_number %}定期复核（案件编号{{ case_number }}）{% else %}核实{% endif %}，"
    "因下列原因，本机关于{{ decided_on }}决定终止你（户）享受的{{ program_label }}，"
    "{{ end_month }}为最后发放月份：\n"
    "{% for reason in reasons %}{{ forloop.counter }}．{{ reason }}\n{% endfor %}" + _REMEDY,
)
# Integrity (诚信, rules §1.11): a finding that income or assets were hidden ends the case or the
# entitlement, and what was paid meanwhile is recovered (追缴).
DEFAULT_TEXTS[NoticeKind.CONCEALMENT_TERMINATION] = (
    "终止救助通知书",
    "{{ applicant_name }}（身份证号码 {{ id_number_masked }}）：\n"
    "经调查核实，你（户）在{{ program_label }}{% if case_number %}（案件编号{{ case_number }}）{% endif %}"
    "中隐瞒家庭收入、财产，情况如下：\n"
    "{% for reason in reasons %}{{ forloop.counter }}．{{ reason }}\n{% endfor %}"
    "本机关于{{ decided_on }}认定上述情况属实，决定终止{{ program_label }}"
    "{% if case_number %}的审核确认{% endif %}。"
    "{% if dishonesty_until %}依据社会救助诚信管理的有关规定，对申请人记入失信记录，"
    "有效期至{{ dishonesty_until }}。{% endif %}"
    "{% if amount_due %}已领取的救助资金将依法追缴，另行发出追缴救助资金通知书。{% endif %}\n" + _REMEDY,
)
DEFAULT_TEXTS[NoticeKind.OVERPAYMENT_RECOVERY] = (
    "追缴救助资金通知书",
    "{{ applicant_name }}（身份证号码 {{ id_number_masked }}）：\n"
    "经调查核实，你（户）隐瞒家庭收入、财产，骗取{{ program_label }}资金。本机关于{{ decided_on }}决定"
    "追缴隐瞒期间已领取的救助资金{{ amount_due }}元，计算如下：\n"
    "{% for line in computation_lines %}{{ line }}\n{% endfor %}"
    "{% if deadline %}请于{{ deadline }}前{% else %}请{% endif %}"
    "到所在乡镇人民政府（街道办事处）退回上述资金；逾期未退回的，将从其他应发救助资金中抵扣或依法追缴。\n"
    + _REMEDY,
)


def default_issuer(region_name: str, level: int) -> str:
    """The issuing body of a region without a template: a township's government, a county's bureau."""
    if level >= Level.TOWNSHIP:
        return f"{region_name}人民政府"
    return f"{region_name}民政局"
