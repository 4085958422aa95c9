from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region

from .roles import Role


class User(AbstractUser):
    """A platform user: one role, bound to one node of the region tree (their jurisdiction)."""

    audit_object_type = AuditObject.USER  # what its audit lines name it

    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="辖区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("所属部门/机构", max_length=100, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "—"


class ApiToken(models.Model):
    """A bearer token for machine clients. Only the SHA-256 of the key is stored."""

    audit_object_type = AuditObject.API_TOKEN  # what its audit lines name it

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "jz_" + secrets.token_urlsafe(32)
