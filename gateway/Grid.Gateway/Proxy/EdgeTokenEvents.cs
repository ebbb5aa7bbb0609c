using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Gateway.Proxy;

/// <summary>
/// The gateway validates tokens exactly as every service does (Grid.ServiceDefaults); this only makes the
/// refusal at the edge a problem that says what is wrong with the token, so a caller can fix it.
/// </summary>
public sealed class EdgeTokenEvents : GridTokenEvents
{
    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var detail = context.AuthenticateFailure switch
        {
            null => "A bearer token is required (Authorization: Bearer <token>); obtain one from POST /api/org/v1/token.",
            SecurityTokenExpiredException e => $"The token expired at {e.Expires:yyyy-MM-ddTHH:mm:ssZ}.",
            SecurityTokenNotYetValidException => "The token is not valid yet.",
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The token's signature is not valid.",
            SecurityTokenInvalidIssuerException => "The token was issued by an issuer this site does not trust.",
            SecurityTokenInvalidAudienceException => "The token is meant for another audience.",
            _ => "The token is not valid.",
        };
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await GatewayProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }
}
