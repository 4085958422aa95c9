"""The chain is keyed: each new line names the HMAC key that hashed it (``key_id``).

Lines already written keep an empty ``key_id`` and their plain SHA-256 link: they are not rewritten
(that would erase the evidence they carry) and ``check-audit`` accepts them only as the chain's first
lines, before the first keyed one. On SQLite, adding a column rebuilds the table, which drops its
append-only triggers: they are installed again at the end."""

from django.db import migrations, models


def guard_up(apps, schema_editor):
    from jiuzhu.audit.guard import guard_install

    guard_install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="密钥编号"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "查看"),
                    ("create", "新增"),
                    ("update", "修改"),
                    ("delete", "删除"),
                    ("login", "登录"),
                    ("login_failed", "登录失败"),
                    ("logout", "退出"),
                    ("export", "导出"),
                    ("search", "查询"),
                    ("refused", "拒绝访问"),
                    ("lockout", "登录锁定"),
                ],
                max_length=16,
                verbose_name="动作",
            ),
        ),
        migrations.RunPython(guard_up, migrations.RunPython.noop),
    ]
