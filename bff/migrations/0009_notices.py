from tortoise import migrations
from tortoise.migrations import operations as ops
from bff.domain.statuses import MessageChannel, MessageStatus, NoticeKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_push_errors')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('supplier_code', fields.CharField(max_length=64)),
                ('kind', fields.CharEnumField(description='NoticeKind', enum_type=NoticeKind, max_length=32)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('title', fields.CharField(max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('loan_no', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice', 'app': 'models', 'indexes': [Index(fields=['supplier_code', 'id']), Index(fields=['supplier_code', 'read_at'])], 'pk_attr': 'id', 'table_description': 'A notice (消息通知) to a supplier about one happening: a bank event applied, or an installment due soon.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice', fields.ForeignKeyField('models.Notice', source_field='notice_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('supplier_code', fields.CharField(max_length=64)),
                ('channel', fields.CharEnumField(description='MessageChannel', enum_type=MessageChannel, max_length=32)),
                ('recipient', fields.CharField(max_length=254)),
                ('status', fields.CharEnumField(default=MessageStatus.PENDING, description='MessageStatus', enum_type=MessageStatus, max_length=32)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice_message', 'app': 'models', 'unique_together': (('notice', 'channel'),), 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['supplier_code', 'sent_at'])], 'pk_attr': 'id', 'table_description': "One notice sent by SMS or e-mail to the supplier's handler (经办人): the messaging outbox."},
            bases=['Model'],
        ),
    ]
