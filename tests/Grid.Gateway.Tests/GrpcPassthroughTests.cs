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

    [Theory]
    [InlineData("v1alpha")]
    [InlineData("v1")]
    public async Task Server_reflection_is_routed_like_the_organization_calls_with_a_token_and_refused_without(string version)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{suite.GatewayGrpcPort}");
        var method = $"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo";

        // ListServices, as grpcurl sends it (field 7 of ServerReflectionRequest), encoded by hand: one client for both versions.
        var listServices = new byte[] { 0x3a, 0x00 };
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var rpc = new Method<byte[], byte[]>(MethodType.DuplexStreaming, $"grpc.reflection.{version}.ServerReflection", "ServerReflectionInfo", bytes, bytes);
        async Task<string> AskAsync(string? token)
        {
            var headers = token is null ? new Metadata() : new Metadata { { "authorization", "Bearer " + token } };
            using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(rpc, null, new CallOptions(headers));
            await call.RequestStream.WriteAsync(listServices);
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), method);
            return System.Text.Encoding.UTF8.GetString(call.ResponseStream.Current);
        }

        Assert.Contains("grid.organization.v1.Organization", await AskAsync(TestTokens.Admin()));
        var refused = await Assert.ThrowsAsync<RpcException>(() => AskAsync(null));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }
}
