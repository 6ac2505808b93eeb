from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_outbox_typed_push')]

    initial = False

    operations = [
        ops.CreateModel(
            name='QuarantinedBankEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('body_sha256', fields.CharField(unique=True, max_length=64)),
                ('event_id', fields.CharField(null=True, max_length=128)),
                ('type', fields.CharField(null=True, max_length=64)),
                ('reason', fields.TextField(unique=False)),
                ('body', fields.TextField(unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('bank_event', fields.ForeignKeyField('models.BankEvent', source_field='bank_event_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'quarantined_bank_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A signed WeBank notification the BFF could not understand, kept for operators and never processed.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='BankEvent',
            name='quarantined_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
