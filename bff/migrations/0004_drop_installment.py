from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('models', '0003_overdue_episodes_and_event_loan_no')]

    initial = False

    operations = [
        ops.DeleteModel(name='Installment'),
    ]
