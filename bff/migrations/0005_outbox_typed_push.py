"""The outbox stores typed pushes: `kind` and the push's own fields (`payload`), no path and no method.

The WeBank client now builds path and wire body on delivery (`bff.domain.bank_pushes`). Rows
written before this migration hold the wire body and the path. Production only ever wrote three kinds:
- `supplier.push` and `orders.push`: the wire body already has the push's stored shape field for field,
  and the path was fixed, so these rows are read as they are;
- `supplier.handler`: the wire body lacks the credit code, which was in the path
  (`/v1/suppliers/{credit_code}/handler`); it is moved into the payload here, before the path goes.
A row whose path does not have that shape (none was ever written) is left alone: delivery reads it as an
unreadable push and marks it FAILED with the reason, instead of this migration failing a deployment.
"""

import re
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

HANDLER_KIND = "supplier.handler"
HANDLER_PATH = re.compile(r"^/v1/suppliers/(?P<credit_code>[^/]+)/handler$")


async def credit_code_into_handler_pushes(apps: Any, schema_editor: Any) -> None:
    message_model = apps.get_model("models", "OutboxMessage")
    client = schema_editor.client
    rows = await message_model.filter(kind=HANDLER_KIND).using_db(client).values("id", "path", "body")
    for row in rows:
        body, matched = row["body"], HANDLER_PATH.match(row["path"])
        if matched is None or not isinstance(body, dict) or "credit_code" in body:
            continue
        await (
            message_model.filter(id=row["id"])
            .using_db(client)
            .update(body={**body, "credit_code": matched["credit_code"]})
        )


class Migration(migrations.Migration):
    dependencies = [('models', '0004_drop_installment')]

    initial = False

    operations = [
        ops.RunPython(credit_code_into_handler_pushes),
        ops.AlterModelOptions(
            name='OutboxMessage',
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['aggregate_type', 'aggregate_id'])], 'pk_attr': 'id', 'table_description': 'A push to WeBank, written in the same transaction as the state change it announces.'},
        ),
        ops.RenameField(
            model_name='OutboxMessage',
            old_name='body',
            new_name='payload',
        ),
        ops.RemoveField(model_name='OutboxMessage', name='method'),
        ops.RemoveField(model_name='OutboxMessage', name='path'),
    ]
