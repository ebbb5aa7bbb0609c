namespace Grid.Organization.Apis;

public static class ImportsApi
{
    public static RouteGroupBuilder MapImportsApi(this RouteGroupBuilder api) => api;
}
