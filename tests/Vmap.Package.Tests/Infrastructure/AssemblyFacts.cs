using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Vmap.Package.Tests.Infrastructure;

/// <summary>
/// What an assembly's metadata says about it (its references, its framework), read without
/// loading it: an analyzer built against Roslyn 4.8 must be judged by what it references, not by
/// whatever Roslyn this test process happens to have.
/// </summary>
public sealed class AssemblyFacts
{
    private AssemblyFacts(IReadOnlyDictionary<string, Version> references, IReadOnlyList<(string FullName, bool IsPublic)> types, string? targetFramework, string? informationalVersion)
    {
        References = references;
        Types = types;
        TargetFramework = targetFramework;
        InformationalVersion = informationalVersion;
    }

    /// <summary>Referenced assembly name to the version it is bound to.</summary>
    public IReadOnlyDictionary<string, Version> References { get; }

    /// <summary>The types the assembly defines (namespace-qualified), and whether each is public.</summary>
    public IReadOnlyList<(string FullName, bool IsPublic)> Types { get; }

    /// <summary>The <c>TargetFrameworkAttribute</c> value, e.g. <c>.NETStandard,Version=v2.0</c>.</summary>
    public string? TargetFramework { get; }

    /// <summary>The <c>AssemblyInformationalVersionAttribute</c> value.</summary>
    public string? InformationalVersion { get; }

    public static AssemblyFacts Read(byte[] image)
    {
        using var pe = new PEReader(ImmutableArray.Create(image));
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences
            .Select(metadata.GetAssemblyReference)
            .ToDictionary(r => metadata.GetString(r.Name), r => r.Version);
        var types = metadata.TypeDefinitions
            .Select(metadata.GetTypeDefinition)
            .Select(t => (metadata.GetString(t.Namespace) + "." + metadata.GetString(t.Name), (t.Attributes & TypeAttributes.VisibilityMask) == TypeAttributes.Public))
            .ToList();
        return new AssemblyFacts(
            references,
            types,
            ReadStringAttribute(metadata, "System.Runtime.Versioning", "TargetFrameworkAttribute"),
            ReadStringAttribute(metadata, "System.Reflection", "AssemblyInformationalVersionAttribute"));
    }

    /// <summary>The first constructor argument of an assembly-level attribute whose first parameter is a string.</summary>
    private static string? ReadStringAttribute(MetadataReader metadata, string ns, string name)
    {
        foreach (var handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = metadata.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var constructor = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            if (constructor.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }

            var type = metadata.GetTypeReference((TypeReferenceHandle)constructor.Parent);
            if (metadata.GetString(type.Namespace) != ns || metadata.GetString(type.Name) != name)
            {
                continue;
            }

            // ECMA-335 II.23.3: a 0x0001 prolog, then the fixed arguments; a string is a SerString.
            var blob = metadata.GetBlobReader(attribute.Value);
            if (blob.ReadUInt16() != 1)
            {
                throw new BadImageFormatException($"{name} has no custom attribute prolog.");
            }

            return blob.ReadSerializedString();
        }

        return null;
    }
}
