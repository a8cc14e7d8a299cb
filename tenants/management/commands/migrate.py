from tenants.management.commands.migrate_schemas import Command as MigrateSchemasCommand

Command = MigrateSchemasCommand
