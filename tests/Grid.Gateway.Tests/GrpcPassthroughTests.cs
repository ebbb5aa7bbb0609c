using Grid.Contracts.Organization.V1;
using Grid.Gateway.Tests.Support;
using Grid.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Grid.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class GrpcPassthroughTests(GatewaySuite suite)
{
    [Fact]
    public async Task A_department_system_calls_organization_over_grpc_through_the_gateway()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{suite.GatewayGrpcPort}");
        var client = new Organization.OrganizationClient(channel);
        var id = "grpc-" + Guid.NewGuid().ToString("N");

        var grid = await client.GetGridAsync(
            new GetGridRequest { Id = "g-42" },
            new Metadata { { "authorization", "Bearer " + TestTokens.Admin() }, { "x-correlation-id", id } });

        Assert.Equal("g-42", grid.Id);
        Assert.Equal("with-token", grid.LevelName);
        Assert.Equal(id, grid.Name); // the correlation id travelled along
        Assert.Equal("HTTP/2", grid.Hierarchy); // HTTP/2 end to end
    }

    [Fact]
    public async Task Without_a_token_the_grpc_call_is_refused_at_the_edge()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{suite.GatewayGrpcPort}");
        var client = new Organization.OrganizationClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetGridAsync(new GetGridRequest { Id = "g-1" }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }
}
