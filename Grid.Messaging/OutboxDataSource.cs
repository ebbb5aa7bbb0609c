using Npgsql;

namespace Grid.Messaging;

/// <summary>The service's database that holds its outbox and inbox (<see cref="MessagingSchema"/>), as the relay reads it.</summary>
public sealed record OutboxDataSource(NpgsqlDataSource DataSource);
