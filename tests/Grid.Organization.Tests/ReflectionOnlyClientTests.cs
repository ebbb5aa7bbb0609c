using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;

namespace Grid.Organization.Tests;

/// <summary>
/// A client that knows nothing of the contract: it asks server reflection for the services and their
/// descriptors, encodes the request from the descriptor and decodes the answer the same way.
/// </summary>
public sealed class ReflectionOnlyClientTests(OrgHost host) : IClassFixture<OrgHost>
{
    [Fact]
    public async Task A_reflection_only_client_lists_the_service_and_resolves_a_point()
    {
        using var channel = host.Channel();
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        var serviceName = Assert.Single(services, s => s.EndsWith(".Organization", StringComparison.Ordinal));

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = serviceName });
        Assert.True(await call.ResponseStream.MoveNext());
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.ToList();
        await call.RequestStream.CompleteAsync();

        var descriptors = FileDescriptor.BuildFromByteStrings(DependenciesFirst(files));
        var service = descriptors.SelectMany(f => f.Services).Single(s => s.FullName == serviceName);
        var method = service.FindMethodByName("ResolveGridByPoint");
        Assert.NotNull(method);

        var request = Encode(method.InputType, new Dictionary<string, object>
        {
            ["hierarchy"] = "comprehensive",
            ["longitude"] = 113.25,
            ["latitude"] = 34.7,
        });
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var rpc = new Method<byte[], byte[]>(MethodType.Unary, service.FullName, method.Name, bytes, bytes);
        var reply = await channel.CreateCallInvoker().AsyncUnaryCall(rpc, null, new CallOptions(), request);
        var answer = Decode(method.OutputType, reply);

        Assert.Equal(host.Code("A2"), answer["code"]);
        Assert.Equal(host.Ids["A2"].ToString(), answer["id"]);
        Assert.Equal(2, answer["depth"]);
    }

    /// <summary>FileDescriptor.BuildFromByteStrings wants every file after the files it imports.</summary>
    private static IEnumerable<ByteString> DependenciesFirst(IReadOnlyList<ByteString> files)
    {
        var protos = files.ToDictionary(f => FileDescriptorProto.Parser.ParseFrom(f).Name, f => f);
        var done = new List<ByteString>();
        var seen = new HashSet<string>();
        void Visit(string name)
        {
            if (!seen.Add(name) || !protos.TryGetValue(name, out var bytes))
            {
                return;
            }

            foreach (var dep in FileDescriptorProto.Parser.ParseFrom(bytes).Dependency)
            {
                Visit(dep);
            }

            done.Add(bytes);
        }

        foreach (var name in protos.Keys)
        {
            Visit(name);
        }

        return done;
    }

    private static byte[] Encode(MessageDescriptor type, Dictionary<string, object> values)
    {
        using var ms = new MemoryStream();
        var output = new CodedOutputStream(ms);
        foreach (var (name, value) in values)
        {
            var field = type.FindFieldByName(name);
            switch (field.FieldType)
            {
                case FieldType.String:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteString((string)value);
                    break;
                case FieldType.Double:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed64);
                    output.WriteDouble((double)value);
                    break;
                default:
                    throw new NotSupportedException(field.FieldType.ToString());
            }
        }

        output.Flush();
        return ms.ToArray();
    }

    /// <summary>Scalar fields by name; repeated strings as lists; anything else skipped.</summary>
    private static Dictionary<string, object> Decode(MessageDescriptor type, byte[] bytes)
    {
        var result = new Dictionary<string, object>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = type.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag));
            switch (field?.FieldType)
            {
                case FieldType.String when field.IsRepeated:
                    ((List<string>)(result.TryGetValue(field.Name, out var l) ? l : result[field.Name] = new List<string>())).Add(input.ReadString());
                    break;
                case FieldType.String:
                    result[field.Name] = input.ReadString();
                    break;
                case FieldType.Int32:
                    result[field.Name] = input.ReadInt32();
                    break;
                case FieldType.Bool:
                    result[field.Name] = input.ReadBool();
                    break;
                case FieldType.Double:
                    result[field.Name] = input.ReadDouble();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return result;
    }
}
