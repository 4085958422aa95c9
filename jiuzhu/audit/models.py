from __future__ import annotations

from typing import Any

from django.db import models

from jiuzhu.core.choices import label
from jiuzhu.core.masking import id_number_for
from jiuzhu.core.vocab import AuditObject


class AuditEvent(models.Model):
    """One line of the append-only, hash-chained audit log.

    ``hash`` = HMAC-SHA256, under the key ``key_id`` of the key file, over the previous line's hash and
    this line's canonical content (plain SHA-256 for lines written before the chain was keyed, whose
    ``key_id`` is empty), so editing or deleting any line breaks every later link; ``jiuzhu
    check-audit`` finds the first break and compares the head with the checkpoints kept outside the
    database.
    """

    class Action(models.TextChoices):
        VIEW = "view", "查看"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        EXPORT = "export", "导出"
        SEARCH = "search", "查询"
        REFUSED = "refused", "拒绝访问"
        LOCKOUT = "lockout", "登录锁定"

    # Assigned under the chain lock as previous + 1, so a gap reveals a deleted line.
    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("动作", max_length=16, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    region_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    channel = models.CharField("渠道", max_length=10, blank=True)  # web / api / cli
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The key of the HMAC (a line of the key file); empty for lines hashed before the chain was keyed.
    key_id = models.CharField("密钥编号", max_length=16, blank=True, default="")

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        # Shown wherever a line is named (the admin's titles): a searched ID number masked for everyone.
        shown = self.object_id_for(None)
        return f"#{self.seq} {self.actor_name} {self.get_action_display()} {self.object_type}:{shown}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录只能追加，不能删除")

    @property
    def object_type_label(self) -> str:
        """What the line is about, in words (the stored code when it is not in the vocabulary)."""
        return label(self.object_type, AuditObject)

    def object_id_for(self, user: Any) -> str:
        """The object id as ``user`` may see it: a searched ID number (stored in full, so that "who
        looked this person up" can be answered) is masked for a user without the permission to see it in
        full (DESIGN §6), or for no user; any other id is shown as stored."""
        if self.object_type == AuditObject.ID_NUMBER:
            return id_number_for(user, self.object_id)
        return self.object_id
