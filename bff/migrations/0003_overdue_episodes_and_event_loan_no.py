from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_admission_credit_code')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OverdueEpisode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('loan', fields.ForeignKeyField('models.Loan', source_field='loan_id', db_constraint=True, to_field='id', related_name='overdue_episodes', on_delete=OnDelete.RESTRICT)),
                ('period', fields.IntField()),
                ('since', fields.DateField()),
                ('overdue_fen', fields.BigIntField()),
                ('cleared_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'overdue_episode', 'app': 'models', 'unique_together': (('loan', 'period'),), 'pk_attr': 'id', 'table_description': "One installment of a loan falling overdue, until the arrears are paid: the supplier's overdue record."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='BankEvent',
            name='loan_no',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
    ]
