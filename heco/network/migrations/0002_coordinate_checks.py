"""The database checks organisations' coordinates, and communities' longitudes, as it already
checked communities' latitudes and assets' points. Coordinates out of range (written before,
by a path that skipped the forms) cannot be placed on any map: they are cleared first, so the
constraints can be added."""

from django.db import migrations, models
from django.db.models import Q

OUT_OF_RANGE = {"lat": 90, "lon": 180}


def clear_out_of_range(apps, schema_editor):
    for model_name in ("Community", "Organisation"):
        model = apps.get_model("network", model_name)
        for name, limit in OUT_OF_RANGE.items():
            model.objects.filter(
                Q(**{f"{name}__lt": -limit}) | Q(**{f"{name}__gt": limit})
            ).update(**{name: None})


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [
        migrations.RunPython(clear_out_of_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="community",
            constraint=models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180),
                name="community_lon",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                name="organisation_lat",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180),
                name="organisation_lon",
            ),
        ),
    ]
