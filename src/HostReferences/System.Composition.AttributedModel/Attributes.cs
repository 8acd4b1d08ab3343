// A compile-time stand-in for System.Composition.AttributedModel 7.0.0.0, the MEF of Roslyn 4.8
// hosts (see Vmap.CodeFixes.csproj, which compiles it): the surface an export needs, what
// [ExportCodeFixProvider] derives from and [Shared], with the real assembly's signatures so the
// fix assembly's attribute blobs bind to the host's copy at run time.
using System;
using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyVersion("7.0.0.0")]
[assembly: ReferenceAssembly]

namespace System.Composition
{
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Property | AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public class ExportAttribute : Attribute
    {
        public ExportAttribute() => throw null;

        public ExportAttribute(Type contractType) => throw null;

        public ExportAttribute(string contractName) => throw null;

        public ExportAttribute(string contractName, Type contractType) => throw null;

        public string ContractName => throw null;

        public Type ContractType => throw null;
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class MetadataAttributeAttribute : Attribute
    {
        public MetadataAttributeAttribute() => throw null;
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public class SharedAttribute : PartMetadataAttribute
    {
        public SharedAttribute() : base(null, null) => throw null;

        public SharedAttribute(string sharingBoundaryName) : base(null, null) => throw null;

        public string SharingBoundary => throw null;
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public class PartMetadataAttribute : Attribute
    {
        public PartMetadataAttribute(string name, object value) => throw null;

        public string Name => throw null;

        public object Value => throw null;
    }

    [AttributeUsage(AttributeTargets.Constructor, AllowMultiple = false, Inherited = false)]
    public sealed class ImportingConstructorAttribute : Attribute
    {
        public ImportingConstructorAttribute() => throw null;
    }
}
