"""Staff notes written before notes had a visibility (accept / dispatch / suspension decisions /
resume by staff) become staff-only: the customer never asked to see them, and some were meant
for the engineer alone."""

from django.db import migrations

STAFF_NOTE_TRANSITIONS = ("accept", "dispatch", "approve_suspension", "resume")


def hide_staff_notes(apps, schema_editor):
    OrderEvent = apps.get_model("repair_forms", "OrderEvent")
    OrderEvent.objects.filter(transition__in=STAFF_NOTE_TRANSITIONS, actor_kind="staff").exclude(
        note=""
    ).update(note_visible_to_customer=False)


def show_all_notes(apps, schema_editor):
    OrderEvent = apps.get_model("repair_forms", "OrderEvent")
    OrderEvent.objects.filter(note_visible_to_customer=False).update(note_visible_to_customer=True)


class Migration(migrations.Migration):
    dependencies = [("repair_forms", "0003_event_note_visibility_status_words")]

    operations = [migrations.RunPython(hide_staff_notes, show_all_notes)]
