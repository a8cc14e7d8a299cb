from rest_framework import serializers

from accounts.models import StaffMember


class StaffMeSerializer(serializers.ModelSerializer[StaffMember]):
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = StaffMember
        fields = ["id", "phone", "display_name", "role", "role_label", "is_owner"]
